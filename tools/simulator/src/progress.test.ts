import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

// A stream that says it is a terminal, as cli-progress requires before it draws anything.
function fakeTerminal() {
  const stream = Object.assign(new PassThrough(), {
    isTTY: true,
    columns: 120,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  let written = '';
  stream.on('data', (chunk: Buffer) => {
    written += chunk.toString('utf8');
  });
  return { stream, written: () => written };
}

describe('createProgress', () => {
  it('draws a bar that reaches the total', async () => {
    const terminal = fakeTerminal();
    const progress = createProgress(40, { enabled: true, stream: terminal.stream, label: 'simulate' });
    for (let i = 0; i < 40; i++) progress.tick();
    progress.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(terminal.written()).toContain('simulate');
    expect(terminal.written()).toContain('40/40 user-decisions');
    expect(terminal.written()).toContain('100%');
  });

  it('writes nothing when disabled', async () => {
    const terminal = fakeTerminal();
    const progress = createProgress(40, { enabled: false, stream: terminal.stream, label: 'simulate' });
    progress.tick();
    progress.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(terminal.written()).toBe('');
  });
});
