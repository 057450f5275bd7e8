/** Where each part of a JSON text lies: `[start, end)` offsets into it. */
export type Span = readonly [start: number, end: number];

/** The members of a top-level object, and the parts of those members that are arrays or objects. */
export interface TopLevelSpans {
  /** Each member's value. */
  members: Map<string, Span>;
  /** For members whose value is an array: its elements. */
  elements: Map<string, Span[]>;
  /** For members whose value is an object: its members' values. */
  fields: Map<string, Map<string, Span>>;
}

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * Finds where the members of a top-level JSON object lie, with the elements of the members that
 * are arrays and the fields of those that are objects. The text of a part is that part's JSON
 * exactly, so a caller can reuse slices instead of printing the values again (number formatting
 * is most of `JSON.stringify`'s cost). It checks the structure it walks (brackets, separators,
 * terminated strings) but not the scalars inside: a caller must still parse or compare the slices
 * it uses. Returns null for anything that is not a well-formed object at the top level.
 */
export function topLevelSpans(text: string): TopLevelSpans | null {
  const spans: TopLevelSpans = { members: new Map(), elements: new Map(), fields: new Map() };
  const members = object(text, skipSpace(text, 0), (key, start, end) => {
    spans.members.set(key, [start, end]);
    return true;
  });
  if (members < 0 || skipSpace(text, members) !== text.length) return null;
  for (const [key, [start]] of spans.members) {
    const open = text.charCodeAt(start);
    if (open === OPEN_ARRAY) {
      const elements: Span[] = [];
      if (array(text, start, (from, to) => elements.push([from, to])) < 0) return null;
      spans.elements.set(key, elements);
    } else if (open === OPEN_OBJECT) {
      const fields = new Map<string, Span>();
      const end = object(text, start, (field, from, to) => {
        fields.set(field, [from, to]);
        return true;
      });
      if (end < 0) return null;
      spans.fields.set(key, fields);
    }
  }
  return spans;
}

/** Walks the object at `i`, reporting each member's value; returns the end, or -1 if malformed. */
function object(
  text: string,
  i: number,
  member: (key: string, start: number, end: number) => boolean,
): number {
  if (text.charCodeAt(i) !== OPEN_OBJECT) return -1;
  let j = skipSpace(text, i + 1);
  if (text.charCodeAt(j) === CLOSE_OBJECT) return j + 1;
  for (;;) {
    if (text.charCodeAt(j) !== QUOTE) return -1;
    const keyEnd = stringEnd(text, j);
    if (keyEnd < 0) return -1;
    let key: string;
    try {
      key = JSON.parse(text.slice(j, keyEnd)) as string;
    } catch {
      return -1;
    }
    j = skipSpace(text, keyEnd);
    if (text.charCodeAt(j) !== COLON) return -1;
    const start = skipSpace(text, j + 1);
    const end = valueEnd(text, start);
    if (end < 0 || !member(key, start, end)) return -1;
    j = skipSpace(text, end);
    const next = text.charCodeAt(j);
    if (next === CLOSE_OBJECT) return j + 1;
    if (next !== COMMA) return -1;
    j = skipSpace(text, j + 1);
  }
}

/** Walks the array at `i`, reporting each element; returns the end, or -1 if malformed. */
function array(text: string, i: number, element: (start: number, end: number) => void): number {
  let j = skipSpace(text, i + 1);
  if (text.charCodeAt(j) === CLOSE_ARRAY) return j + 1;
  for (;;) {
    const end = valueEnd(text, j);
    if (end < 0) return -1;
    element(j, end);
    j = skipSpace(text, end);
    const next = text.charCodeAt(j);
    if (next === CLOSE_ARRAY) return j + 1;
    if (next !== COMMA) return -1;
    j = skipSpace(text, j + 1);
  }
}

/** The end of the value at `i` (string, scalar, array or object), or -1 if there is none. */
function valueEnd(text: string, i: number): number {
  if (i >= text.length) return -1;
  const c = text.charCodeAt(i);
  if (c === QUOTE) return stringEnd(text, i);
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text.charCodeAt(j);
      if (d === QUOTE) {
        const end = stringEnd(text, j);
        if (end < 0) return -1;
        j = end - 1;
      } else if (d === OPEN_OBJECT || d === OPEN_ARRAY) {
        depth++;
      } else if (d === CLOSE_OBJECT || d === CLOSE_ARRAY) {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  // A number or true/false/null: runs until a delimiter.
  let j = i;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || isSpace(d)) break;
    j++;
  }
  return j === i ? -1 : j;
}

/** The end (past the closing quote) of the string at `i`, or -1 if it is not terminated. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const d = text.charCodeAt(j);
    if (d === 0x5c) j++;
    else if (d === QUOTE) return j + 1;
  }
  return -1;
}

function skipSpace(text: string, i: number): number {
  let j = i;
  while (j < text.length && isSpace(text.charCodeAt(j))) j++;
  return j;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
