// Entry of the evaluation thread (built beside main.js as dist/ope-worker.js): runs exactly
// `evaluateLog` of @oo/ope, as `pnpm ope - --json` does, on the log the main thread streams in.
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { evaluateLog } from '@oo/ope';
import { type FromOpeWorker, type OpeWorkerInput, type ToOpeWorker, toWireError } from './ope-protocol.js';

if (parentPort === null) throw new Error('ope-worker runs in a worker thread');
const port = parentPort;
const send = (message: FromOpeWorker): void => port.postMessage(message);

const { options } = workerData as OpeWorkerInput;
// Node calls read() again only after a push, so at most one chunk is requested at a time.
const stdin = new Readable({
  read() {
    send({ type: 'pull' });
  },
});
port.on('message', (message: ToOpeWorker) => {
  stdin.push(message.type === 'chunk' ? message.text : null);
});

try {
  send({ type: 'done', report: await evaluateLog(options, { stdin, cwd: '/' }) });
} catch (error) {
  send({ type: 'failed', error: toWireError(error) });
}
port.close();
