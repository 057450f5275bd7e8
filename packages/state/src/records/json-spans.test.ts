import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topLevelSpans } from './json-spans.js';

const key = fc.string().filter((k) => k !== '__proto__');
const topLevel = fc.dictionary(key, fc.jsonValue());

describe('topLevelSpans', () => {
  it('finds every member, element and field of any JSON object, compact or indented', () => {
    fc.assert(
      fc.property(topLevel, fc.constantFrom(undefined, 2, '\t'), (generated, indent) => {
        const text = JSON.stringify(generated, null, indent);
        // What the text holds (-0 prints as 0), the reference for every slice.
        const value = JSON.parse(text) as Record<string, unknown>;
        const spans = topLevelSpans(text);
        expect(spans).not.toBeNull();
        const slice = ([start, end]: readonly [number, number]) => JSON.parse(text.slice(start, end));
        expect([...spans!.members.keys()]).toEqual(Object.keys(value));
        for (const [k, span] of spans!.members) expect(slice(span)).toEqual(value[k]);
        for (const [k, elements] of spans!.elements) {
          expect(elements.map(slice)).toEqual(value[k]);
        }
        for (const [k, fields] of spans!.fields) {
          expect(Object.fromEntries([...fields].map(([f, span]) => [f, slice(span)]))).toEqual(value[k]);
        }
        const nested = Object.entries(value).filter(([, v]) => typeof v === 'object' && v !== null);
        expect(spans!.elements.size + spans!.fields.size).toBe(nested.length);
      }),
      { numRuns: 1_000 },
    );
  });

  it('handles strings with quotes, backslashes and brackets inside, and empty containers', () => {
    const value = { 'a"b': 'x\\"]}[{', c: [], d: {}, e: ['}', { f: '\\' }], g: -1.5e-7, h: null };
    const spans = topLevelSpans(JSON.stringify(value))!;
    expect(spans.elements.get('c')).toEqual([]);
    expect(spans.fields.get('d')?.size).toBe(0);
    expect(spans.elements.get('e')?.length).toBe(2);
    expect([...spans.members.keys()]).toEqual(Object.keys(value));
  });

  it('returns null, and always returns, for truncated or malformed text', () => {
    fc.assert(
      fc.property(topLevel, fc.nat(), (value, cut) => {
        const text = JSON.stringify(value);
        if (text.length < 3) return;
        expect(topLevelSpans(text.slice(0, (cut % (text.length - 1)) + 1))).toBeNull();
      }),
      { numRuns: 1_000 },
    );
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\\', 'a', '1', ' ') }),
        (text) => {
          const spans = topLevelSpans(text);
          if (spans !== null) expect(() => JSON.parse(text)).not.toThrow();
        },
      ),
      { numRuns: 2_000 },
    );
    for (const bad of ['{"a":1,}', '{"a" 1}', '{"a":}', '{a:1}', '{"a":[1,]}', '{"a":[1 2]}', '{"a":1} x']) {
      expect(topLevelSpans(bad), bad).toBeNull();
    }
  });

  it('returns null when the top level is not an object', () => {
    expect(topLevelSpans('[1]')).toBeNull();
    expect(topLevelSpans('"x"')).toBeNull();
    expect(topLevelSpans('{}')?.members.size).toBe(0);
  });
});
