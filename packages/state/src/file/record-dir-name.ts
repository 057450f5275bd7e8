// A user id becomes one directory name. The mapping must be injective (no two ids share a
// directory), stay injective on case-insensitive filesystems (macOS, where `A` and `a` are the same
// name), contain no path syntax, and fit NAME_MAX (255 bytes). Readable names help operators, so
// ids are escaped with a prefix-free code; the rare id whose escaped form is too long is written
// in base32 instead. The `u-`/`b-` prefixes keep the two forms apart. See docs/adr/0004.

import { isValidUserId } from '../user-id.js';

const READABLE_PREFIX = 'u-';
const BASE32_PREFIX = 'b-';
const MAX_READABLE_LENGTH = 200;
const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

// Every codeword either is one character of [a-z0-9.@-] or starts with `_`, and no one-character
// codeword is `_`: a prefix-free code, so the concatenation decodes uniquely. Its output has no
// capital letters, so case folding cannot merge two names.
function escapeChar(c: string): string {
  if (c >= 'A' && c <= 'Z') return `_${c.toLowerCase()}`;
  if (c === '_') return '__';
  if (c === ':') return '_-';
  return c;
}

/** The directory name of a (validated) user id or figures name. */
export function recordDirName(id: string): string {
  let escaped = '';
  for (const c of id) escaped += escapeChar(c);
  if (escaped.length <= MAX_READABLE_LENGTH) return READABLE_PREFIX + escaped;
  return BASE32_PREFIX + base32(Buffer.from(id, 'utf8'));
}

/** The (valid) id a directory name stands for, or null if `name` is not one `recordDirName` produces. */
export function parseRecordDirName(name: string): string | null {
  if (name.startsWith(READABLE_PREFIX)) {
    let id = '';
    const body = name.slice(READABLE_PREFIX.length);
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (c !== '_') {
        if (!/[a-z0-9.@-]/.test(c)) return null;
        id += c;
        continue;
      }
      const next = body[++i];
      if (next === undefined) return null;
      if (next === '_') id += '_';
      else if (next === '-') id += ':';
      else if (next >= 'a' && next <= 'z') id += next.toUpperCase();
      else return null;
    }
    return isValidUserId(id) && recordDirName(id) === name ? id : null;
  }
  if (name.startsWith(BASE32_PREFIX)) {
    const bytes = unbase32(name.slice(BASE32_PREFIX.length));
    if (bytes === null) return null;
    const id = bytes.toString('utf8');
    return isValidUserId(id) && recordDirName(id) === name ? id : null;
  }
  return null;
}

// RFC 4648 §6 base32, lowercase, without padding.
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

function unbase32(text: string): Buffer | null {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const c of text) {
    const value = BASE32_ALPHABET.indexOf(c);
    if (value === -1) return null;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >>> bits) & 255);
    }
    buffer &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}
