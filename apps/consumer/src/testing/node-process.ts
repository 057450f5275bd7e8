import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface NodeProcess {
  readonly child: ChildProcess;
  /** Every stdout and stderr line that parsed as JSON (our structured logs). */
  readonly lines: Record<string, unknown>[];
  /** Every raw line, for failure messages. */
  readonly output: string[];
  /** Resolves with the first log line whose `msg` contains `text`. */
  waitForLog(text: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** SIGKILLs the process if it is still running. */
  kill(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Runs `node <args>` with exactly `env` (plus PATH), collecting its structured log lines. */
export function spawnNode(
  args: string[],
  options: { env: Record<string, string>; cwd?: string },
): NodeProcess {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const lines: Record<string, unknown>[] = [];
  const output: string[] = [];
  // Checked on every line as it arrives, so a test reacts to a log line without polling delay.
  const watchers = new Set<(line: Record<string, unknown>) => void>();
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      try {
        const parsed: unknown = JSON.parse(line);
        if (parsed && typeof parsed === 'object') {
          lines.push(parsed as Record<string, unknown>);
          for (const watcher of watchers) watcher(parsed as Record<string, unknown>);
        }
      } catch {
        // not a log line
      }
    });
  }
  const exited = once(child, 'exit').then(([code, signal]) => {
    live.delete(child);
    return (code as number | null) ?? (signal as string);
  });
  return {
    child,
    lines,
    output,
    exited,
    waitForLog: (text, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const matches = (line: Record<string, unknown>) => String(line.msg).includes(text);
        const found = lines.find(matches);
        if (found) return resolve(found);
        const done = (error: Error | null, line?: Record<string, unknown>) => {
          watchers.delete(watcher);
          clearTimeout(timer);
          child.off('exit', onExit);
          if (error) reject(error);
          else resolve(line!);
        };
        const watcher = (line: Record<string, unknown>) => {
          if (matches(line)) done(null, line);
        };
        const onExit = () =>
          done(new Error(`process exited before logging "${text}":\n${output.join('\n')}`));
        const timer = setTimeout(
          () => done(new Error(`no log "${text}" within ${timeoutMs} ms:\n${output.join('\n')}`)),
          timeoutMs,
        );
        watchers.add(watcher);
        child.once('exit', onExit);
      }),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
