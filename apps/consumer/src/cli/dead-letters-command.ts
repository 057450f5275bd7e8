import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ConfigError, parseEnv } from '@oo/observability';
import { type DeadLetter, listDeadLetters, replayDeadLetter } from '../dead-letter.js';
import { ConsumerEnv } from '../env.js';
import { connectNats } from '../nats-connection.js';

export const USAGE = `Usage: dead-letters <command> [options]

Lists the messages the consumer dead-lettered and replays chosen ones to their original subject.
Needs NATS_URL.

Commands:
  list [--limit N] [--from SEQ] [--json]   oldest first; --json prints one object per line
  replay <seq>... [--keep]                  republish each letter to its original subject, then
                                            remove it from the dead-letter stream (--keep: leave it)
  replay <seq> --data <file|->              republish a corrected payload instead of the stored one
  help                                      this text

Exit status: 0 done, 1 a letter could not be replayed, 2 usage or configuration error.`;

export interface CliIo {
  env: Record<string, string | undefined>;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  readStdin?: () => Promise<Uint8Array>;
  /** For tests: use this connection instead of connecting to NATS_URL (it is not closed). */
  connection?: NatsConnection;
}

class UsageError extends Error {}

function positiveInt(value: string, what: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${what} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function payloadFields(data: Uint8Array): { payload: string } | { payload_base64: string } {
  try {
    return { payload: new TextDecoder('utf-8', { fatal: true }).decode(data) };
  } catch {
    return { payload_base64: Buffer.from(data).toString('base64') };
  }
}

function asJson(letter: DeadLetter): string {
  return JSON.stringify({
    seq: letter.seq,
    original_subject: letter.originalSubject,
    original_stream: letter.originalStream,
    original_seq: letter.originalSeq,
    delivery_count: letter.deliveryCount,
    last_error: letter.lastError,
    dead_lettered_at: letter.deadLetteredAt,
    ...payloadFields(letter.data),
  });
}

function asLine(letter: DeadLetter): string {
  return [
    String(letter.seq).padStart(6),
    letter.deadLetteredAt || '-',
    letter.originalSubject,
    `${letter.originalStream}:${letter.originalSeq}`,
    `deliveries=${letter.deliveryCount}`,
    letter.lastError,
  ].join('  ');
}

async function withConnection<T>(io: CliIo, fn: (nc: NatsConnection) => Promise<T>): Promise<T> {
  if (io.connection) return fn(io.connection);
  const { NATS_URL } = parseEnv(ConsumerEnv.pick({ NATS_URL: true }), io.env, { secrets: ['NATS_URL'] });
  const nc = await connectNats(NATS_URL, { name: 'oo-dead-letters', reconnectForever: false });
  try {
    return await fn(nc);
  } finally {
    await nc.drain();
  }
}

/** Runs the operator command; resolves to the process exit status. */
export async function runDeadLettersCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        limit: { type: 'string' },
        from: { type: 'string' },
        json: { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        data: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      io.stdout(USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }

    if (command === 'list') {
      if (rest.length > 0) throw new UsageError(`list takes no arguments, got ${rest.join(' ')}`);
      const limit = values.limit === undefined ? 100 : positiveInt(values.limit, '--limit');
      const fromSeq = values.from === undefined ? undefined : positiveInt(values.from, '--from');
      const page = await withConnection(io, async (nc) =>
        listDeadLetters(await jetstreamManager(nc), { limit, ...(fromSeq === undefined ? {} : { fromSeq }) }),
      );
      for (const letter of page.letters) io.stdout(values.json ? asJson(letter) : asLine(letter));
      if (!values.json) {
        io.stderr(
          `${page.letters.length} shown, ${page.total} in the dead-letter stream` +
            (page.nextSeq === null ? '' : `; more with --from ${page.nextSeq}`),
        );
      }
      return 0;
    }

    if (command === 'replay') {
      if (rest.length === 0) throw new UsageError('replay needs at least one sequence number');
      const seqs = rest.map((seq) => positiveInt(seq, 'sequence'));
      if (values.data !== undefined && seqs.length !== 1) {
        throw new UsageError('--data replaces the payload of exactly one letter');
      }
      const data =
        values.data === undefined
          ? undefined
          : values.data === '-'
            ? await (io.readStdin ?? readAll)()
            : new Uint8Array(await readFile(values.data));
      let failed = 0;
      await withConnection(io, async (nc) => {
        const js = jetstream(nc);
        const jsm = await jetstreamManager(nc);
        for (const seq of seqs) {
          try {
            const result = await replayDeadLetter(js, jsm, seq, {
              deleteAfter: !values.keep,
              ...(data === undefined ? {} : { data }),
            });
            io.stdout(
              `replayed ${seq} to ${result.subject} (${result.ack.stream}:${result.ack.seq})` +
                (values.keep ? '' : '; removed from the dead-letter stream'),
            );
          } catch (error) {
            failed++;
            io.stderr(`cannot replay ${seq}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      });
      return failed > 0 ? 1 : 0;
    }

    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || isParseArgsError(error)) {
      io.stderr(`${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    io.stderr(`dead-letters failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function isParseArgsError(error: unknown): boolean {
  return error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
}

async function readAll(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}
