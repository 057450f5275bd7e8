import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DecisionLogLine } from '@oo/contracts';
import { scoreBody } from './bodies.js';
import { post } from './http.js';

/** The built `pnpm ope` CLI (tools/ope/dist/cli.js), beside the library entry serving imports. */
export const OPE_CLI = join(dirname(fileURLToPath(import.meta.resolve('@oo/ope'))), 'cli.js');

/** Runs the real CLI on `log` (stdin), as `pnpm ope - …args`; resolves to its stdout, exit code and stderr. */
export function runOpeCli(
  log: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [OPE_CLI, '-', ...args],
      { maxBuffer: 64 * 1024 * 1024, env: { PATH: process.env.PATH ?? '' } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        if (code === -1) reject(error);
        else resolve({ code, stdout, stderr });
      },
    );
    child.stdin!.end(log);
  });
}

/** Every line of an NDJSON export, parsed with the schema readers use (throws on any bad line). */
export function parseExport(text: string): DecisionLogLine[] {
  if (text === '') return [];
  expectEndsWithNewline(text);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => DecisionLogLine.parse(JSON.parse(line)));
}

function expectEndsWithNewline(text: string): void {
  if (!text.endsWith('\n')) throw new Error('an NDJSON export ends with a newline');
}

const MINUTE = 60_000;

/**
 * `rounds` decisions of `user` through POST /score/egreedy, each `now` a few minutes apart, every
 * one rewarded through POST /reward/egreedy (1 when c0 or c3 was chosen, else 0) unless
 * `rewardEvery` skips it.
 */
export async function playEgreedy(
  url: string,
  user: string,
  rounds: number,
  options: { start?: number; candidates?: number; rewardEvery?: number } = {},
): Promise<void> {
  const start = options.start ?? Date.parse('2025-03-03T06:00:00Z');
  for (let i = 0; i < rounds; i++) {
    const now = new Date(start + i * 7 * MINUTE).toISOString();
    const scored = await post(url, '/score/egreedy', scoreBody(user, options.candidates ?? 4, { now }));
    if (scored.status !== 200) throw new Error(`score: ${scored.status} ${JSON.stringify(scored.body)}`);
    if (i % (options.rewardEvery ?? 1) !== 0) continue;
    const reward = scored.body.chosen_id === 'c0' || scored.body.chosen_id === 'c3' ? 1 : 0;
    const rewarded = await post(url, '/reward/egreedy', {
      user_id: user,
      decision_id: scored.body.decision_id,
      reward,
    });
    if (rewarded.status !== 200) throw new Error(`reward: ${rewarded.status}`);
  }
}
