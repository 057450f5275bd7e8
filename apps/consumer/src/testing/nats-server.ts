import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A `nats-server -js` owned by one test file: its own loopback port and store directory. */
export interface NatsServerHandle {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Stops the server and starts it again on the same port with the same store (JetStream state kept). */
  restart(): Promise<void>;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period). The store survives until `dispose`. */
  stop(): Promise<void>;
  /** Stops the server and removes its store directory. */
  dispose(): Promise<void>;
}

export interface StartNatsServerOptions {
  /** @default `NATS_SERVER_BIN` or `nats-server` on PATH */
  bin?: string;
  /** @default 10_000 */
  startTimeoutMs?: number;
}

export class NatsServerStartError extends Error {
  override readonly name = 'NatsServerStartError';
}

// A test run that dies must not leave servers behind: every live child is killed on exit.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new NatsServerStartError('no free port');
  return address.port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, '127.0.0.1');
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Launches a real `nats-server` with JetStream. A missing binary is an error, never a skip: the
 * consumer's guarantees are exactly what a mock could not show.
 */
export async function startNatsServer(options: StartNatsServerOptions = {}): Promise<NatsServerHandle> {
  const bin = options.bin ?? process.env.NATS_SERVER_BIN ?? 'nats-server';
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const port = await freePort();
  const storeDir = await mkdtemp(join(tmpdir(), 'oo-nats-'));
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const proc = spawn(bin, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = proc;
    live.add(proc);
    let output = '';
    let ready = false;
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk: string) => {
      if (ready) return;
      output += chunk;
      if (output.includes('Server is ready')) ready = true;
    });
    let exited = false;
    const spawnError = new Promise<Error>((resolve) => proc.once('error', resolve));
    proc.once('exit', () => {
      exited = true;
      live.delete(proc);
    });
    const deadline = Date.now() + startTimeoutMs;
    while (!(ready && (await canConnect(port)))) {
      const error = await Promise.race([spawnError, new Promise<null>((r) => setTimeout(r, 25, null))]);
      if (error) throw new NatsServerStartError(`cannot run ${bin}: ${error.message} (install nats-server)`);
      if (exited) throw new NatsServerStartError(`${bin} exited before it was ready:\n${output}`);
      if (Date.now() > deadline) {
        await stopProcess(proc);
        throw new NatsServerStartError(`${bin} not ready after ${startTimeoutMs} ms:\n${output}`);
      }
    }
  };

  const stop = async (): Promise<void> => {
    if (child) await stopProcess(child);
  };

  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    stop,
    async restart() {
      await stop();
      await launch();
    },
    async dispose() {
      await stop();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}
