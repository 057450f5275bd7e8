import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { OpeOptions, OpeReport } from '@oo/ope';
import { HttpError } from '../errors.js';
import {
  type FromOpeWorker,
  fromWireError,
  OpeWorkerError,
  type OpeWorkerInput,
  type ToOpeWorker,
} from './ope-protocol.js';

/**
 * Longest an evaluation may run. 10,000 decisions of 10 candidates with every target took 6 s of
 * CPU (ADR-0023); ten times that means the process is starved or something is wrong.
 */
export const OPE_TIMEOUT_MS = 60_000;

/**
 * Most heap (V8's old generation) an evaluation's thread may use, MiB. The largest evaluation a
 * request may ask for (10,000 decisions of 100 candidates at d = 12) completed within 192 MiB
 * (ADR-0023), so this leaves it more than twice that, while an evaluation that would grow past it
 * costs its thread, not the memory the process needs to keep serving.
 */
export const OPE_MAX_HEAP_MB = 512;

/** What a refused caller is told to wait: about what a default-sized (2,000) evaluation takes. */
const RETRY_AFTER_S = 5;

export type OpeUnavailableReason = 'ope_busy' | 'ope_timeout' | 'ope_memory' | 'shutting_down';

/**
 * The evaluation cannot be run now: 503 `service_busy`, `details.reason` says why (ADR-0023). Not
 * `state_unavailable`, which monitoring reads as the store being down.
 */
export class OpeUnavailableError extends HttpError {
  override readonly name = 'OpeUnavailableError';
  constructor(
    readonly reason: OpeUnavailableReason,
    message: string,
  ) {
    super('service_busy', message, { reason }, { 'retry-after': String(RETRY_AFTER_S) });
  }
}

export interface OpeEvaluatorOptions {
  /** The evaluation thread is terminated past this, and the request answered 503. @default OPE_TIMEOUT_MS */
  timeoutMs?: number;
  /** The evaluation thread is stopped past this heap, and the request answered 503. @default OPE_MAX_HEAP_MB */
  maxHeapMb?: number;
  /** The worker's entry. @default ope-worker beside this module (dist/ope-worker.js when built) */
  worker?: URL;
}

interface Run {
  readonly abort: (error: Error) => void;
  readonly exited: Promise<void>;
}

/**
 * Runs off-policy evaluations in a worker thread, one at a time: the CPU-bound estimation must
 * not hold the event loop that answers scoring requests. A second evaluation while one runs is
 * refused at once (503 `ope_busy`) rather than queued: it would hold memory and a connection for
 * seconds with no answer (ADR-0023). A fresh thread per evaluation: its start (tens of ms) is
 * small beside the evaluation, a crash or a time-out costs only that thread, and its heap goes
 * with it; nothing stays alive between evaluations.
 */
export class OpeEvaluator {
  readonly #timeoutMs: number;
  readonly #maxHeapMb: number;
  readonly #worker: URL;
  #run: Run | undefined;
  #closed = false;

  constructor(options: OpeEvaluatorOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? OPE_TIMEOUT_MS;
    this.#maxHeapMb = options.maxHeapMb ?? OPE_MAX_HEAP_MB;
    this.#worker = options.worker ?? defaultWorkerUrl();
  }

  /** Whether an evaluation is running. */
  get busy(): boolean {
    return this.#run !== undefined;
  }

  /**
   * Evaluates the NDJSON `log`, read as the worker consumes it, with `evaluateLog(options)` of
   * @oo/ope. An error of the log source rejects as itself, and ends the evaluation.
   * @throws OpeUnavailableError (503) when one is running, past the time or heap limit, or after close()
   * @throws LogInputError, a @oo/bandit error (RemoteBanditError) as evaluateLog raised them
   * @throws OpeWorkerError when the worker failed otherwise (a bug)
   */
  evaluate(options: OpeOptions, log: AsyncIterable<string>): Promise<OpeReport> {
    if (this.#closed) {
      return Promise.reject(
        new OpeUnavailableError('shutting_down', 'the service is shutting down; retry on another process'),
      );
    }
    if (this.#run !== undefined) {
      return Promise.reject(
        new OpeUnavailableError(
          'ope_busy',
          'an off-policy evaluation is already running on this process; retry later',
        ),
      );
    }
    return this.#start(options, log);
  }

  /** Terminates a running evaluation (its request answers 503) and refuses any later one. */
  async close(): Promise<void> {
    this.#closed = true;
    const run = this.#run;
    if (run === undefined) return;
    run.abort(
      new OpeUnavailableError('shutting_down', 'the service is shutting down; retry on another process'),
    );
    await run.exited;
  }

  #start(options: OpeOptions, log: AsyncIterable<string>): Promise<OpeReport> {
    const worker = new Worker(
      ...workerArgs(this.#worker, {
        workerData: { options } satisfies OpeWorkerInput,
        resourceLimits: { maxOldGenerationSizeMb: this.#maxHeapMb },
      }),
    );
    // An evaluation never keeps the process alive on its own (e.g. once the server has closed).
    worker.unref();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const lines = log[Symbol.asyncIterator]();
    return new Promise<OpeReport>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | undefined, report?: OpeReport): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // Released at once, so a request right after this answer is not refused as busy while the
        // old thread is still being torn down.
        this.#run = undefined;
        void worker.terminate();
        // Stops the store reader too (a time-out or an abort may come mid-log).
        lines.return?.().catch(() => {});
        if (error === undefined) resolve(report as OpeReport);
        else reject(error);
      };
      const timer = setTimeout(
        () =>
          finish(
            new OpeUnavailableError(
              'ope_timeout',
              `the evaluation did not finish within ${this.#timeoutMs} ms and was stopped; select fewer decisions (user_id, max_decisions) or export the log with GET /admin/decisions and run pnpm ope`,
            ),
          ),
        this.#timeoutMs,
      );
      timer.unref();
      this.#run = { abort: (error) => finish(error), exited };

      worker.on('message', (message: FromOpeWorker) => {
        switch (message.type) {
          case 'pull':
            lines.next().then((next) => {
              if (settled) return;
              const reply: ToOpeWorker = next.done ? { type: 'end' } : { type: 'chunk', text: next.value };
              worker.postMessage(reply);
            }, finish);
            break;
          case 'done':
            finish(undefined, message.report);
            break;
          case 'failed':
            finish(fromWireError(message.error));
            break;
        }
      });
      worker.once('error', (error) =>
        finish(
          (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new OpeUnavailableError(
                'ope_memory',
                `the evaluation needed more than ${this.#maxHeapMb} MiB of memory and was stopped; select fewer decisions (user_id, max_decisions) or export the log with GET /admin/decisions and run pnpm ope`,
              )
            : new OpeWorkerError('the evaluation worker failed', { cause: error }),
        ),
      );
      worker.once('exit', (code) =>
        finish(new OpeWorkerError(`the evaluation worker exited with code ${code} before answering`)),
      );
    });
  }
}

/** dist/ope-worker.js beside the bundle; src/ope/ope-worker.ts when running from source (tests). */
function defaultWorkerUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './ope-worker.ts' : './ope-worker.js', import.meta.url);
}

function workerArgs(entry: URL, options: WorkerOptions): ConstructorParameters<typeof Worker> {
  if (!entry.pathname.endsWith('.ts')) return [entry, options];
  // From source only (vitest, tsx): Node 20 does not apply `--import` loaders to a worker's entry
  // (nodejs/node#47747), so the thread registers tsx itself before importing the .ts entry.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return [boot, { ...options, eval: true }];
}

/** The evaluator of this process: at most one evaluation at a time per serving process. */
export const processOpeEvaluator = new OpeEvaluator();
