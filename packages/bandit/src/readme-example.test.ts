import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The README promises an example a user can paste. This compiles it with strict settings against
// the built declarations and runs it with node against the built ESM output (turbo builds first).
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const DIST_TYPES = join(PACKAGE_DIR, 'dist/index.d.ts');
const DIST_ESM = pathToFileURL(join(PACKAGE_DIR, 'dist/index.js')).href;

let dir: string;
let source: string;

beforeAll(async () => {
  const readme = await readFile(join(PACKAGE_DIR, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme);
  if (block === null) throw new Error('README.md has no ```ts example');
  source = block[1]!;
  dir = await mkdtemp(join(tmpdir(), 'oo-bandit-readme-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the README example', () => {
  it('imports from @oo/bandit', () => {
    expect(source).toContain("from '@oo/bandit'");
  });

  it('type-checks against the published declarations', async () => {
    const file = join(dir, 'example.ts');
    await writeFile(file, source);
    // The example only needs `console` from the host; declaring it avoids loading lib.dom or @types/node.
    const globals = join(dir, 'globals.d.ts');
    await writeFile(globals, 'declare const console: { log(...values: unknown[]): void };\n');
    const program = ts.createProgram([file, globals], {
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2023.d.ts'],
      types: [],
      paths: { '@oo/bandit': [DIST_TYPES] },
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });

  it('runs and prints a decision, then the restored model', async () => {
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const file = join(dir, 'example.mjs');
    await writeFile(file, js.replace("'@oo/bandit'", JSON.stringify(DIST_ESM)));
    const { stdout } = await promisify(execFile)(process.execPath, [file], { timeout: 20_000 });
    const [decision, restored] = stdout.split(/\n(?=\d)/);
    expect(decision).toMatch(/^[01] (0\.95|0\.05) (true|false) Float64Array\(2\) \[/);
    expect(restored).toMatch(/^1 Float64Array\(7\) \[/);
  });
});
