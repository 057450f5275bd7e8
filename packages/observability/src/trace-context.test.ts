import { describe, expect, it } from 'vitest';
import { currentTrace, parseTraceparent, runWithTrace } from './trace-context.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('parseTraceparent', () => {
  it('accepts the W3C example and reads the sampled flag', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      sampled: true,
    });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.sampled).toBe(false);
  });

  it('accepts a future version with extra fields', () => {
    expect(parseTraceparent(`cc-${TRACE}-${SPAN}-01-what-the-future-holds`)?.traceId).toBe(TRACE);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['version 00 with extra field', `00-${TRACE}-${SPAN}-01-extra`],
    ['garbage', 'hello'],
    ['huge', `00-${TRACE}-${SPAN}-01-${'x'.repeat(600)}`],
  ])('rejects %s', (_name, header) => {
    expect(parseTraceparent(header)).toBeNull();
  });
});

describe('runWithTrace', () => {
  it('exposes the context across awaits and only inside the run', async () => {
    const ctx = { traceId: TRACE, spanId: SPAN, sampled: true };
    expect(currentTrace()).toBeUndefined();
    await runWithTrace(ctx, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(currentTrace()).toEqual(ctx);
      runWithTrace(null, () => expect(currentTrace()).toBeUndefined());
    });
    expect(currentTrace()).toBeUndefined();
  });
});
