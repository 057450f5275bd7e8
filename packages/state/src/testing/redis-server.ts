import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from './free-port.js';

export interface RedisServerOptions {
  /**
   * The `redis-server` executable.
   * @default process.env.REDIS_SERVER ?? 'redis-server' (the Debian package installs /usr/bin/redis-server)
   */
  command?: string;
  /**
   * Persist with an append-only file (`appendfsync always`) instead of not persisting at all, for
   * tests whose data must survive `restart()`.
   * @default false
   */
  appendonly?: boolean;
  /**
   * More `redis-server` arguments, e.g. `['--maxmemory', '10mb']`.
   * @default []
   */
  args?: readonly string[];
  /**
   * How long to wait for the server to answer PING.
   * @default 10000
   */
  startTimeoutMs?: number;
}

export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The pid of the running server process (e.g. to SIGSTOP it); 0 while stopped. */
  readonly pid: number;
  /** The server's own working directory (AOF files live here). */
  readonly dir: string;
  /** Stops the server (SIGTERM, then SIGKILL) but keeps its directory and port for `restart()`. */
  stop(): Promise<void>;
  /** Starts the server again on the same port and directory. */
  restart(): Promise<void>;
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Starts a private `redis-server` on a free loopback port with its own directory and no
 * persistence (unless `appendonly`), and waits until it answers PING. Fails loudly, never skips,
 * when redis-server is not installed.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const command = options.command ?? process.env.REDIS_SERVER ?? 'redis-server';
  const dir = await mkdtemp(join(tmpdir(), 'oo-redis-'));
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const argsFor = (port: number) => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.appendonly ? 'yes' : 'no',
    ...(options.appendonly ? ['--appendfsync', 'always'] : []),
    '--logfile',
    '',
    ...(options.args ?? []),
  ];

  let child: ChildProcess | undefined;
  let port = 0;
  // A port found free can be taken before redis binds it; a fresh one is tried then.
  for (let attempt = 1; child === undefined; attempt++) {
    port = await findFreePort();
    try {
      child = await launch(command, argsFor(port), port, startTimeoutMs);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof PortInUseError)) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  const stop = async () => {
    if (child === undefined) return;
    const stopping = child;
    child = undefined;
    await terminate(stopping);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid ?? 0;
    },
    dir,
    stop,
    async restart() {
      await stop();
      child = await launch(command, argsFor(port), port, startTimeoutMs);
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

class PortInUseError extends Error {}

async function launch(
  command: string,
  args: string[],
  port: number,
  timeoutMs: number,
): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  child.once('exit', () => {
    exited = true;
    running.delete(child);
  });
  running.add(child);
  installExitHook();

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (spawnError !== undefined) {
      running.delete(child);
      throw new Error(
        `cannot start ${command} (${(spawnError as NodeJS.ErrnoException).code ?? spawnError.message}): ` +
          'install the redis-server package (e.g. apt-get install redis-server) or set REDIS_SERVER',
      );
    }
    if (exited) {
      if (/Address already in use/i.test(output)) throw new PortInUseError(`port ${port} is in use`);
      throw new Error(`${command} exited during start-up:\n${output}`);
    }
    if (await answersPing(port)) return child;
    await sleep(20);
  }
  await terminate(child);
  throw new Error(`${command} did not answer PING on port ${port} within ${timeoutMs} ms:\n${output}`);
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Never leave a server behind when a test run ends without stopping it.
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}
