import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export function sha1Hex(data: string | Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}

/** A script run by EVALSHA, falling back to EVAL when the server's script cache lost it (restart). */
export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = sha1Hex(source);
  }

  async run(client: Redis, keys: readonly string[], args: readonly (string | Buffer)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return client.eval(this.#source, keys.length, ...keys, ...args);
    }
  }

  /** Like `run`, with bulk replies as Buffers (the exact stored bytes), integers as numbers. */
  async runBuffer(
    client: Redis,
    keys: readonly string[],
    args: readonly (string | Buffer)[],
  ): Promise<unknown> {
    try {
      return await client.callBuffer('EVALSHA', [this.#sha, keys.length, ...keys, ...args]);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return client.callBuffer('EVAL', [this.#source, keys.length, ...keys, ...args]);
    }
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Compare-and-set by content: writes ARGV[2] only if the record still hashes to ARGV[1] (the
 * SHA-1 of the bytes the caller read; '' for "absent"). Comparing content rather than a revision
 * counter makes deletion-and-recreation harmless (ABA): if the bytes are equal, so is the state
 * the update was computed from. Returns 1 when written, 0 on conflict.
 */
export const COMPARE_AND_SET = new LuaScript(`
local current = redis.call('GET', KEYS[1])
if current then
  if redis.sha1hex(current) ~= ARGV[1] then return 0 end
elseif ARGV[1] ~= '' then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`);

/**
 * Renames a corrupt record to KEYS[2], but only if it still has the content judged corrupt
 * (ARGV[1], its SHA-1): a writer may have replaced it since it was read. Returns 1 when moved.
 */
export const MOVE_ASIDE = new LuaScript(`
local current = redis.call('GET', KEYS[1])
if current and redis.sha1hex(current) == ARGV[1] then
  redis.call('RENAME', KEYS[1], KEYS[2])
  return 1
end
return 0
`);

/**
 * The one-round-trip update of a cached record (docs/adr/0018): the same compare-and-set by
 * content as COMPARE_AND_SET, but on conflict the reply carries what the record holds now, so the
 * caller can retry at once instead of reading first. Replies: {1} written; {0} conflict, the
 * record is absent; {0, bytes, sha1} conflict, the record's bytes and their SHA-1.
 */
export const SET_IF_UNCHANGED = new LuaScript(`
local current = redis.call('GET', KEYS[1])
if current then
  local sha = redis.sha1hex(current)
  if sha ~= ARGV[1] then return {0, current, sha} end
elseif ARGV[1] ~= '' then
  return {0}
end
redis.call('SET', KEYS[1], ARGV[2])
return {1}
`);

/**
 * Revalidates a cached record: {1} it still hashes to ARGV[1]; {0} it is absent; {2, bytes, sha1}
 * it changed. An unchanged record costs no transfer and no decoding.
 */
export const GET_IF_CHANGED = new LuaScript(`
local current = redis.call('GET', KEYS[1])
if not current then return {0} end
local sha = redis.sha1hex(current)
if sha == ARGV[1] then return {1} end
return {2, current, sha}
`);
