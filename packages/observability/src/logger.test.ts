import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { runWithTrace } from './trace-context.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, destination: { write: (s: string) => void lines.push(JSON.parse(s)) } };
}

describe('createLogger', () => {
  it('writes the fields the spec names, with the level as a word', () => {
    const { lines, destination } = capture();
    createLogger({ name: 'serving', destination }).warn({ route: '/x' }, 'hello');
    const [line] = lines;
    expect(line).toMatchObject({ level: 'warn', logger: 'serving', msg: 'hello', route: '/x' });
    expect(new Date(String(line?.timestamp)).toISOString()).toBe(line?.timestamp);
    expect(line).not.toHaveProperty('time');
  });

  it('adds trace ids only to lines logged inside a traced run', async () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 't', destination });
    log.info('before');
    await runWithTrace({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), sampled: true }, async () => {
      log.info('inside');
      await Promise.resolve();
      log.child({ part: 'x' }).info('inside child');
    });
    log.info('after');
    expect(lines.map((l) => [l.msg, l.trace_id ?? null, l.span_id ?? null])).toEqual([
      ['before', null, null],
      ['inside', 'a'.repeat(32), 'b'.repeat(16)],
      ['inside child', 'a'.repeat(32), 'b'.repeat(16)],
      ['after', null, null],
    ]);
  });

  it('redacts credentials wherever a caller logs them', () => {
    const { lines, destination } = capture();
    createLogger({ name: 't', destination }).info(
      { headers: { authorization: 'Bearer s3cret' }, token: 's3cret' },
      'request',
    );
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });
});
