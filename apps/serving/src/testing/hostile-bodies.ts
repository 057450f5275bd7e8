import fc from 'fast-check';

/**
 * A JSON token written as is: numbers JSON cannot round-trip through `JSON.stringify` (`1e999`
 * parses to Infinity, `1e-400` to 0, a 400-digit integer to 1e400 = Infinity, `-0`).
 */
export class RawToken {
  constructor(readonly text: string) {}
}

/** JSON text of `value`, with `RawToken`s verbatim and object keys in insertion order. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawToken) return value.text;
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return value > 0 ? '1e999' : '-1e999';
  return JSON.stringify(value);
}

/** Strings an id or a text field should survive: path syntax, NUL, lone surrogates, huge, unicode. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  // Any UTF-16 code unit, lone surrogates included (JSON.stringify escapes them as \ud800).
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 129, maxLength: 3_000 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '.',
      '..',
      '../../etc/passwd',
      '..\\..\\windows',
      '/etc/passwd',
      '%2e%2e%2f%2e%2e%2fetc',
      '..%2F..%2F',
      'a\u0000b',
      '\u0000',
      'user\n{"level":"fatal"}',
      '__proto__',
      'constructor',
      '{user}',
      'u_sync',
      'u_egreedy',
      'U',
      'ǅǆǄ',
      '\ud800',
      '\udfff\ud800',
      '\u202e\u2066',
      '😀'.repeat(80),
      'x'.repeat(128),
      'x'.repeat(129),
      'x'.repeat(100_000),
    ),
  },
);

/** Numbers at and past every edge: non-finite, huge, tiny, negative zero, unsafe integers. */
export const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(
    0,
    1,
    -1,
    1.0000001,
    -1.0000001,
    2 ** 53 + 2,
    -(2 ** 53) - 2,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    new RawToken('-0'),
    new RawToken('1e999'),
    new RawToken('-1e999'),
    new RawToken('1e-400'),
    new RawToken(`1${'0'.repeat(400)}`),
    new RawToken('0.1e1'),
    new RawToken('1E+2'),
  ),
);

/** Nesting as deep as a body under the 1 MiB limit allows, as text (no recursion on either side). */
export const deepNesting: fc.Arbitrary<RawToken> = fc
  .tuple(
    fc.oneof(
      { weight: 8, arbitrary: fc.constant(100) },
      { weight: 3, arbitrary: fc.constant(10_000) },
      { weight: 1, arbitrary: fc.constant(200_000) },
    ),
    fc.constantFrom('[', '{"a":'),
  )
  .map(([depth, open]) => new RawToken(open.repeat(depth) + (open === '[' ? ']' : '0}').repeat(depth)));

/** Any value, hostile leaves included, nested a little. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(hostileString, tie('value'), { maxKeys: 5 }),
})).value;

/**
 * Takes a body that a generator made valid and maybe breaks it: drops a field, sets a field (or a
 * field of an element) to any hostile value, adds unknown fields, or replaces the body wholesale.
 */
export function mutate(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> {
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('set' as const),
      at: fc.nat(),
      value: fc.oneof({ weight: 9, arbitrary: hostileValue }, { weight: 1, arbitrary: deepNesting }),
    }),
    fc.record({ kind: fc.constant('set-inner' as const), at: fc.nat(), value: hostileValue }),
    fc.record({ kind: fc.constant('extra' as const), key: hostileString, value: hostileValue }),
    fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  );
  return fc.oneof(
    { weight: 16, arbitrary: valid },
    {
      weight: 24,
      arbitrary: fc
        .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 }))
        .map(([body, changes]) => {
          const out: Record<string, unknown> = { ...body };
          for (const change of changes) {
            const keys = Object.keys(out);
            if (change.kind === 'extra') {
              out[change.key] = change.value;
              continue;
            }
            if (keys.length === 0) continue;
            const key = keys[change.at % keys.length]!;
            if (change.kind === 'duplicate') {
              // An array field gets its first element again: duplicate candidate or task ids.
              const list = out[key];
              if (Array.isArray(list) && list.length > 0) out[key] = [...list, list[0]];
            } else if (change.kind === 'drop') delete out[key];
            else if (change.kind === 'set') out[key] = change.value;
            else {
              // One level down: a field of the first element of an array, or of an object.
              const inner = out[key];
              const target = Array.isArray(inner) ? inner[0] : inner;
              if (typeof target === 'object' && target !== null && !(target instanceof RawToken)) {
                const copy = { ...(target as Record<string, unknown>) };
                const innerKeys = Object.keys(copy);
                if (innerKeys.length > 0) copy[innerKeys[change.at % innerKeys.length]!] = change.value;
                out[key] = Array.isArray(inner) ? [copy, ...inner.slice(1)] : copy;
              }
            }
          }
          return out;
        }),
    },
    { weight: 3, arbitrary: hostileValue },
    { weight: 1, arbitrary: deepNesting },
  );
}

/** A body sent as text: mostly JSON, sometimes bytes that are not JSON at all. */
export function asBodyText(body: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 20, arbitrary: body.map(toJsonText) },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.string(),
        fc.constantFrom(
          '',
          '{',
          '{"user_id":',
          'null',
          '[]',
          '"x"',
          'NaN',
          '{"a":1}}',
          '\ufeff{}',
          '{"a":1,}',
        ),
      ),
    },
  );
}
