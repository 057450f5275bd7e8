// A child process for the multi-process tests of the conformance suite (`src/store.case.ts`).
// It runs from the built dist (`node dist/testing/store-worker.js '<json>'`), prints `ready` once
// its store is open, starts when it reads `go` on stdin (so start-up can overlap other work and
// several workers can start together), and reports on stdout, one line per event; writes to a
// pipe are synchronous on Linux, so a line printed before a SIGKILL always reaches the parent.
// In `step` mode it increments once per `step` line it reads and answers `ack <n>`, so the parent
// can interleave its own writes with the worker's one by one.
import { counterOf, counterState } from './counter-state.js';
import { openStore, type StoreSpec } from './store-spec.js';

/**
 * What a worker does: `increment` `count` times concurrently, `crash-loop` until killed, or `step`:
 * one increment per `step` line on stdin.
 */
export type WorkerTask = {
  spec: StoreSpec;
  userId: string;
  mode: 'increment' | 'crash-loop' | 'step';
  count?: number;
  /** Numbers of padding per written state, to make each write big enough to be interrupted. */
  padding?: number;
};

async function main(task: WorkerTask): Promise<void> {
  const store = await openStore(task.spec);
  const padding = task.padding ?? 0;
  const increment = () =>
    store.updateUser(task.userId, (state) => {
      const n = counterOf(state) + 1;
      return { result: n, state: counterState(state, n, padding) };
    });
  process.stdout.write('ready\n');
  if (task.mode === 'step') {
    for await (const line of lines(process.stdin)) {
      if (line === 'step') process.stdout.write(`ack ${await increment()}\n`);
    }
    await store.close();
    return;
  }
  await goSignal();
  if (task.mode === 'increment') {
    await Promise.all(Array.from({ length: task.count ?? 0 }, increment));
    process.stdout.write('done\n');
    await store.close();
    return;
  }
  for (;;) {
    const n = await increment();
    await store.updateSync(task.userId, () => ({
      result: undefined,
      state: {
        v: 1,
        last_sync_ts: new Date(1_700_000_000_000 + n * 1000).toISOString(),
        task_count: n,
        event_ids: [`e-${n}`],
        updated_at: new Date().toISOString(),
      },
    }));
    process.stdout.write(`ack ${n}\n`);
  }
}

async function* lines(input: NodeJS.ReadableStream): AsyncGenerator<string> {
  let buffered = '';
  for await (const chunk of input) {
    buffered += String(chunk);
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      yield buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  }
}

function goSignal(): Promise<void> {
  return new Promise((resolve, reject) => {
    let input = '';
    process.stdin.on('data', (chunk: Buffer) => {
      input += chunk.toString('utf8');
      if (input.includes('go\n')) {
        process.stdin.destroy();
        resolve();
      }
    });
    process.stdin.once('end', () => reject(new Error('stdin closed before go')));
  });
}

main(JSON.parse(process.argv[2] ?? '{}') as WorkerTask).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
