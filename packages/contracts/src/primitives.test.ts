import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { IsoDateTime, nameToken, opaqueId, Priority, refineUniqueIds } from './primitives.js';

describe('IsoDateTime', () => {
  it.each([
    '2025-01-31T09:30:00Z',
    '2025-01-31T09:30:00.123Z',
    '2025-01-31T09:30:00+05:30',
    '2025-01-31T09:30:00-14:00',
    '2024-02-29T00:00:00Z',
  ])('accepts %s', (value) => {
    expect(IsoDateTime.parse(value)).toBe(value);
  });

  it.each([
    ['no seconds', '2025-01-31T09:30Z'],
    ['no offset', '2025-01-31T09:30:00'],
    ['space separator', '2025-01-31 09:30:00Z'],
    ['February 30', '2024-02-30T00:00:00Z'],
    ['February 29 of a common year', '2023-02-29T00:00:00Z'],
    ['hour 24', '2025-01-31T24:00:00Z'],
    ['date only', '2025-01-31'],
    ['epoch millis as a string', '1738315800000'],
  ])('rejects %s', (_label, value) => {
    const result = IsoDateTime.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/RFC 3339/);
  });

  it('rejects a number', () => {
    expect(IsoDateTime.safeParse(1738315800000).success).toBe(false);
  });
});

describe('opaqueId', () => {
  const Id = opaqueId('candidate id');

  it.each(['t1', 'task 7', 'tâche/é', '🙂', '../not-a-path-here', 'x'.repeat(128)])('accepts %j', (id) => {
    expect(Id.parse(id)).toBe(id);
  });

  it.each([
    ['empty', ''],
    ['NUL', 'a\u0000'],
    ['tab', 'a\tb'],
    ['DEL', 'a\u007f'],
    ['C1 control', 'a\u0085'],
    ['129 characters', 'x'.repeat(129)],
  ])('rejects %s, naming the field', (_label, id) => {
    const result = Id.safeParse(id);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(
      'candidate id must be 1–128 characters with no control characters',
    );
  });
});

describe('nameToken', () => {
  const Token = nameToken('context');

  it.each(['focus', 'do-not-disturb', 'llm_processing', 'v1', 'v1.2', 'ns:focus'])('accepts %j', (value) => {
    expect(Token.parse(value)).toBe(value);
  });

  it.each(['', '.v1', '../v1', 'v1/../../etc', '-x', 'a b', 'x'.repeat(65)])('rejects %j', (value) => {
    expect(Token.safeParse(value).error?.issues[0]?.message).toMatch(/^context must be 1–64 characters/);
  });
});

describe('Priority', () => {
  it.each([1, 2, 3, 4])('accepts %d', (p) => {
    expect(Priority.parse(p)).toBe(p);
  });

  it.each([0, 5, 2.5, -1, Number.NaN, '2'])('rejects %j', (p) => {
    expect(Priority.safeParse(p).error?.issues[0]?.message).toBe(
      'priority must be one of the integers 1, 2, 3, 4',
    );
  });
});

describe('refineUniqueIds', () => {
  const List = z
    .array(z.object({ id: z.string() }))
    .superRefine((items, ctx) => refineUniqueIds(items, ctx, 'items'));

  it('accepts distinct ids', () => {
    expect(List.safeParse([{ id: 'a' }, { id: 'b' }]).success).toBe(true);
  });

  it('points one issue at each repeat, naming the first occurrence', () => {
    const issues = List.safeParse([{ id: 'a' }, { id: 'b' }, { id: 'a' }, { id: 'a' }]).error?.issues;
    expect(issues?.map((i) => i.path)).toEqual([
      [2, 'id'],
      [3, 'id'],
    ]);
    expect(issues?.[0]?.message).toBe('items ids must be unique: this id repeats items[0].id');
  });
});
