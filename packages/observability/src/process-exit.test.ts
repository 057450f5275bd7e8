import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '../dist/index.js')).href;

/** Runs `body` in a child Node process with the built package imported as `o`. */
function runChild(body: string): Promise<{ code: number | null; lines: Record<string, unknown>[] }> {
  const script = `
    const o = await import(${JSON.stringify(DIST)});
    const logger = o.createLogger({ name: 'child' });
    let flushed = 0;
    const reporter = { enabled: true, capture() {}, async flush() { flushed++; } };
    ${body}
  `;
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--input-type=module', '-e', script], (_error, stdout) => {
      const lines = stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({ code: child.exitCode, lines });
    });
  });
}

describe('exitOnFatalErrors', () => {
  it('logs an uncaught exception at fatal, flushes the reporter, and exits 1', async () => {
    const { code, lines } = await runChild(`
      o.exitOnFatalErrors(logger, { ...reporter, async flush() { logger.info('reporter flushed'); } });
      setTimeout(() => { throw new Error('boom'); }, 1);
      setTimeout(() => logger.info('still running'), 2_000);
    `);

    expect(code).toBe(1);
    expect(lines.map((l) => l.msg)).toEqual(['fatal error', 'reporter flushed']);
    expect(lines[0]).toMatchObject({ level: 'fatal', origin: 'uncaughtException', err: { message: 'boom' } });
  });

  it('treats an unhandled rejection the same way', async () => {
    const { code, lines } = await runChild(`
      o.exitOnFatalErrors(logger, reporter);
      Promise.reject(new Error('nobody listens'));
      setTimeout(() => logger.info('still running'), 2_000);
    `);

    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'fatal', origin: 'unhandledRejection', msg: 'fatal error' }),
    ]);
  });

  it('returns the same path for fatal conditions the caller detects', async () => {
    const { code, lines } = await runChild(`
      const fatal = o.exitOnFatalErrors(logger, reporter);
      fatal(new Error('connection closed for good'), 'nats');
      setTimeout(() => logger.info('still running'), 2_000);
    `);

    expect(code).toBe(1);
    expect(lines).toEqual([expect.objectContaining({ level: 'fatal', origin: 'nats' })]);
  });
});

describe('exitAfterFlush', () => {
  it('exits with the code after the last line is written', async () => {
    const { code, lines } = await runChild(`
      for (let i = 0; i < 1000; i++) logger.info({ i }, 'line');
      o.exitAfterFlush(logger, 3);
    `);

    expect(code).toBe(3);
    expect(lines).toHaveLength(1000);
    expect(lines.at(-1)).toMatchObject({ i: 999 });
  });
});
