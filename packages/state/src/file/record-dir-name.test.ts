import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { USER_ID_PATTERN } from '../user-id.js';
import { parseRecordDirName, recordDirName } from './record-dir-name.js';

const userId = fc.stringMatching(USER_ID_PATTERN);
// Ids near the readable/base32 boundary and full of escaped characters.
const escapeHeavyId = fc
  .array(fc.constantFrom('A', 'Z', '_', ':', 'a', '.', '-', '@', '0'), { minLength: 1, maxLength: 128 })
  .map((chars) => (chars[0] === '.' ? ['a', ...chars.slice(1)] : chars).join(''));
const anyId = fc.oneof(userId, escapeHeavyId);

describe('recordDirName', () => {
  it('spells common ids readably', () => {
    expect(recordDirName('alice')).toBe('u-alice');
    expect(recordDirName('a_sync')).toBe('u-a__sync');
    expect(recordDirName('Alice')).toBe('u-_alice');
    expect(recordDirName('auth0:42')).toBe('u-auth0_-42');
    expect(recordDirName('0b8f7d52-6f1e-4c3a-9d2e-5a7c1f0e9b41')).toBe(
      'u-0b8f7d52-6f1e-4c3a-9d2e-5a7c1f0e9b41',
    );
    expect(recordDirName('Z'.repeat(128))).toMatch(/^b-[a-z2-7]+$/);
  });

  it('produces one plain, lowercase file name of at most 255 bytes', () => {
    fc.assert(
      fc.property(anyId, (id) => {
        const name = recordDirName(id);
        expect(name).toMatch(/^[ub]-[a-z0-9._@-]+$/);
        expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
      }),
      { numRuns: 2_000 },
    );
  });

  it('is injective, even on a case-insensitive filesystem', () => {
    fc.assert(
      fc.property(anyId, anyId, (a, b) => {
        fc.pre(a !== b);
        expect(recordDirName(a).toLowerCase()).not.toBe(recordDirName(b).toLowerCase());
      }),
      { numRuns: 5_000 },
    );
    const lookAlikes = ['a', 'A', 'a_sync', 'a:sync', 'a_Sync', 'a__sync', '_a', 'a_-b', 'a:b', 'a_b'];
    expect(new Set(lookAlikes.map(recordDirName)).size).toBe(lookAlikes.length);
  });

  it('can be read back', () => {
    fc.assert(
      fc.property(anyId, (id) => {
        expect(parseRecordDirName(recordDirName(id))).toBe(id);
      }),
      { numRuns: 2_000 },
    );
    for (const name of ['alice', 'u-A', 'u-a_', 'u-a_1', 'u-a/b', 'b-!!', 'b-0', '..', 'u-']) {
      expect(parseRecordDirName(name), name).toBeNull();
    }
  });
});
