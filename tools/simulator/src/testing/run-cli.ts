import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** tools/simulator/dist/cli.js: what `pnpm simulate` runs. */
export const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a child process, stdout and stderr piped (not a terminal). */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runBuiltScript(CLI, '@oo/simulator', args, env);
}

/** Runs `script` (a package's build output) under this node, with only PATH and `env` set. */
export function runBuiltScript(
  script: string,
  pkg: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  if (!existsSync(script))
    throw new Error(`${script} is missing: run \`pnpm turbo run build --filter=${pkg}\``);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Width and height from a PNG's IHDR chunk, after checking the 8-byte signature. */
export function pngSize(png: Buffer): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!signature.every((byte, i) => png[i] === byte)) throw new Error('not a PNG: bad signature');
  if (png.toString('ascii', 12, 16) !== 'IHDR') throw new Error('not a PNG: no IHDR chunk first');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The root element's width and height of an SVG document. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /^<svg\b[^>]*>/.exec(svg)?.[0];
  if (root === undefined) throw new Error('not an SVG document');
  const width = /\bwidth="([\d.]+)"/.exec(root)?.[1];
  const height = /\bheight="([\d.]+)"/.exec(root)?.[1];
  if (width === undefined || height === undefined) throw new Error('SVG root without width and height');
  return { width: Number(width), height: Number(height) };
}
