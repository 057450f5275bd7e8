// The conformance suite every StateStore backend runs (STYLE.md: one interface, one suite).
// `src/file/file-store.test.ts` and `src/redis/redis-store.test.ts` call `runStoreConformance`.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CorruptRecordError,
  InvalidUserIdError,
  type RecordKind,
  StateError,
  StoreUnavailableError,
  UnknownSchemaVersionError,
} from './errors.js';
import type { FiguresRecord } from './records/figures-record.js';
import { SYNC_EVENT_IDS_SIZE, type SyncRecord } from './records/sync-record.js';
import {
  DECISION_LOG_SIZE,
  type DecisionRecord,
  emptyUserState,
  type UserState,
} from './records/user-state.js';
import type { StateStore } from './store.js';
import { COUNTER_POLICY, counterOf, counterState } from './testing/counter-state.js';
import { openStore, type StoreSpec } from './testing/store-spec.js';
import type { WorkerTask } from './testing/store-worker.js';

/** A fresh, empty store plus backend-level access for the tests that must look underneath. */
export interface StoreHarness {
  readonly store: StateStore;
  /** Opens the same storage from another process (or another instance in this one). */
  readonly spec: StoreSpec;
  /** Stores `raw` as a record, bypassing every check (to plant corrupt or future records). */
  writeRaw(owner: string, record: RecordKind, raw: string): Promise<void>;
  /** The content at a `CorruptRecordError.movedTo` location, null if absent. */
  readAt(location: string): Promise<string | null>;
  /** Everything the backend holds for this user (file names, keys). */
  entriesOf(userId: string): Promise<string[]>;
  /** Everything the backend holds at all. */
  everything(): Promise<string[]>;
  /** What must not outlive an idle store for this user: temp files, lock files, … */
  leftovers(userId: string): Promise<string[]>;
  cleanup(): Promise<void>;
}

export type StoreHarnessFactory = () => Promise<StoreHarness>;

const WORKER = fileURLToPath(new URL('../dist/testing/store-worker.js', import.meta.url));

export const HOSTILE_IDS: readonly unknown[] = [
  '',
  '.',
  '..',
  '../x',
  '../../etc/passwd',
  '..\\x',
  'a/b',
  'a\\b',
  '/etc/passwd',
  '/tmp/x',
  'C:\\x',
  'a\0b',
  '\0',
  '.hidden',
  'a b',
  'a\nb',
  '{a}',
  'a{b}c',
  'ü',
  'a'.repeat(129),
  'x'.repeat(10_000),
  undefined,
  null,
  42,
];

export function runStoreConformance(name: string, factory: StoreHarnessFactory): void {
  describe(`StateStore conformance: ${name}`, () => {
    let h: StoreHarness;
    let store: StateStore;

    beforeEach(async () => {
      h = await factory();
      store = h.store;
    });
    afterEach(async () => {
      await h.store.close();
      await h.cleanup();
    });

    describe('round trip', () => {
      it('gives a user never seen the empty state, no sync record, and no figures', async () => {
        expect(await store.readUser('nobody')).toEqual(emptyUserState('nobody'));
        expect(await store.readSync('nobody')).toBeNull();
        expect(await store.readFigures('consumer')).toBeNull();
        expect(await h.entriesOf('nobody')).toEqual([]);
      });

      it('writes what updateUser returns and resolves to its result', async () => {
        const next = counterState(emptyUserState('u1'), 1, 3);
        const result = await store.updateUser('u1', (state) => {
          expect(state).toEqual(emptyUserState('u1'));
          return { result: 'done', state: next };
        });
        expect(result).toBe('done');
        expect(await store.readUser('u1')).toEqual(next);
      });

      it('keeps the state untouched when fn returns no state', async () => {
        const seen = await store.updateUser('u1', (state) => ({ result: state.decisions.length }));
        expect(seen).toBe(0);
        expect(await h.entriesOf('u1')).toEqual([]);
        await store.updateUser('u1', (state) => ({ result: null, state: counterState(state, 1, 0) }));
        await store.updateUser('u1', () => ({ result: null }));
        expect(counterOf(await store.readUser('u1'))).toBe(1);
      });

      it('propagates an error thrown by fn unchanged and writes nothing', async () => {
        await store.updateUser('u1', (state) => ({ result: null, state: counterState(state, 1, 0) }));
        const thrown = new RangeError('unknown decision');
        await expect(
          store.updateUser('u1', (state) => {
            state.decisions = [];
            throw thrown;
          }),
        ).rejects.toBe(thrown);
        await expect(
          store.updateSync('u1', () => {
            throw thrown;
          }),
        ).rejects.toBe(thrown);
        expect(counterOf(await store.readUser('u1'))).toBe(1);
        expect((await store.readUser('u1')).decisions).toHaveLength(1);
      });

      it('refuses to write an invalid state or another user’s state', async () => {
        const bad = { ...emptyUserState('u1'), decisions: [{ decision_id: 'd' }] } as unknown as UserState;
        await expect(store.updateUser('u1', () => ({ result: null, state: bad }))).rejects.toBeInstanceOf(
          StateError,
        );
        await expect(
          store.updateUser('u1', () => ({ result: null, state: emptyUserState('u2') })),
        ).rejects.toBeInstanceOf(StateError);
        const future = { ...emptyUserState('u1'), v: 2 } as unknown as UserState;
        await expect(store.updateUser('u1', () => ({ result: null, state: future }))).rejects.toBeInstanceOf(
          StateError,
        );
        expect(await h.entriesOf('u1')).toEqual([]);
      });

      it(`keeps the newest ${DECISION_LOG_SIZE} decisions and the newest ${SYNC_EVENT_IDS_SIZE} event ids`, async () => {
        const decisions = Array.from({ length: 150 }, (_, i) => decision(`d-${149 - i}`));
        await store.updateUser('u1', (state) => ({ result: null, state: { ...state, decisions } }));
        const stored = (await store.readUser('u1')).decisions;
        expect(stored).toHaveLength(DECISION_LOG_SIZE);
        expect(stored[0]?.decision_id).toBe('d-149');
        expect(stored.at(-1)?.decision_id).toBe('d-50');

        const eventIds = Array.from({ length: 100 }, (_, i) => `e-${99 - i}`);
        await store.updateSync('u1', () => ({ result: null, state: sync(7, eventIds) }));
        const record = await store.readSync('u1');
        expect(record?.event_ids).toEqual(eventIds.slice(0, SYNC_EVENT_IDS_SIZE));
      });

      it('round-trips the sync record through updateSync', async () => {
        const first = await store.updateSync('u1', (current) => {
          expect(current).toBeNull();
          return { result: 'created', state: sync(3, ['e-1']) };
        });
        expect(first).toBe('created');
        await store.updateSync('u1', (current) => ({
          result: null,
          state: sync((current?.task_count ?? 0) + 1, ['e-2', ...(current?.event_ids ?? [])]),
        }));
        expect(await store.readSync('u1')).toEqual(sync(4, ['e-2', 'e-1']));
        expect(await store.readUser('u1')).toEqual(emptyUserState('u1'));
      });

      it('round-trips figures by name, last writer winning', async () => {
        await store.writeFigures('consumer', figures(1));
        await store.writeFigures('consumer', figures(2));
        await store.writeFigures('other', figures(9));
        expect(await store.readFigures('consumer')).toEqual(figures(2));
        expect(await store.readFigures('other')).toEqual(figures(9));
        await expect(
          store.writeFigures('consumer', { ...figures(3), consumers: { x: { processed: -1 } } } as never),
        ).rejects.toBeInstanceOf(StateError);
        expect(await store.readFigures('consumer')).toEqual(figures(2));
      });

      it('answers ping while open and refuses work once closed', async () => {
        await store.ping();
        await store.close();
        await expect(store.readUser('u1')).rejects.toBeInstanceOf(StoreUnavailableError);
        await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      });
    });

    describe('isolation', () => {
      const neighbours = ['a', 'a_sync', 'a_egreedy', 'A', 'a:sync', 'a.sync', 'a-sync', 'sync', 'state'];

      it('keeps a, a_sync, a_egreedy and their look-alikes apart, state and sync alike', async () => {
        for (const [i, id] of neighbours.entries()) {
          await store.updateUser(id, (state) => ({ result: null, state: counterState(state, i + 1, 0) }));
          await store.updateSync(id, () => ({ result: null, state: sync(100 + i, [`e-${id}`]) }));
        }
        for (const [i, id] of neighbours.entries()) {
          expect(counterOf(await store.readUser(id)), id).toBe(i + 1);
          expect((await store.readUser(id)).user_id).toBe(id);
          expect((await store.readSync(id))?.task_count, id).toBe(100 + i);
        }
      });

      it('keeps ids whose encodings could meet apart, long ones included', async () => {
        const ids = [
          'a_-b',
          'a:b',
          'a__b',
          'a_b',
          'Ab',
          'aB',
          '_a',
          'x'.repeat(128),
          'X'.repeat(128),
          '@'.repeat(128),
        ];
        for (const [i, id] of ids.entries()) {
          await store.updateUser(id, (state) => ({ result: null, state: counterState(state, i + 1, 0) }));
        }
        for (const [i, id] of ids.entries()) expect(counterOf(await store.readUser(id)), id).toBe(i + 1);
      });

      it('deletes one user’s whole state and nothing else', async () => {
        for (const id of neighbours) {
          await store.updateUser(id, (state) => ({ result: null, state: counterState(state, 5, 0) }));
          await store.updateSync(id, () => ({ result: null, state: sync(5, []) }));
        }
        await h.writeRaw('a', 'state', '{"torn');
        await expect(store.readUser('a')).rejects.toBeInstanceOf(CorruptRecordError);
        await store.updateUser('a', (state) => ({ result: null, state: counterState(state, 1, 0) }));
        expect((await h.entriesOf('a')).length).toBeGreaterThan(0);

        await store.deleteUser('a');
        expect(await h.entriesOf('a')).toEqual([]);
        expect(await store.readUser('a')).toEqual(emptyUserState('a'));
        expect(await store.readSync('a')).toBeNull();
        for (const id of neighbours.filter((id) => id !== 'a')) {
          expect(counterOf(await store.readUser(id)), id).toBe(5);
          expect((await store.readSync(id))?.task_count, id).toBe(5);
        }
        await store.deleteUser('a');
        await store.deleteUser('never-seen');
        await store.updateUser('a', (state) => ({ result: null, state: counterState(state, 1, 0) }));
        expect(counterOf(await store.readUser('a'))).toBe(1);
      });
    });

    describe('listing users', () => {
      const listAll = async (options?: { pageSize?: number }) => {
        const pages: string[][] = [];
        for await (const page of store.listUsers(options)) pages.push(page);
        return pages;
      };
      const write = (id: string, n = 1) =>
        store.updateUser(id, (state) => ({ result: null, state: counterState(state, n, 0) }));

      it('lists nobody in an empty store', async () => {
        expect(await listAll()).toEqual([]);
      });

      it('lists every user with state once, in pages of at most pageSize, look-alike and long ids included', async () => {
        const ids = [
          'a',
          'a_sync',
          'A',
          'a:sync',
          'sync',
          'state',
          'x'.repeat(128),
          '@'.repeat(128),
          'u.1@x-y',
        ];
        for (const id of ids) await write(id);
        const pages = await listAll({ pageSize: 2 });
        for (const page of pages) {
          expect(page.length).toBeGreaterThan(0);
          expect(page.length).toBeLessThanOrEqual(2);
        }
        expect(pages.flat().sort()).toEqual([...ids].sort());
        expect((await listAll()).flat().sort()).toEqual([...ids].sort());
      });

      it('leaves out users with only a sync record, deleted users, figures and corrupt records moved aside', async () => {
        await write('kept');
        await store.updateSync('sync-only', () => ({ result: null, state: sync(1, []) }));
        await write('deleted');
        await store.deleteUser('deleted');
        await store.writeFigures('consumer', figures(1));
        await h.writeRaw('torn', 'state', '{"torn');
        await expect(store.readUser('torn')).rejects.toBeInstanceOf(CorruptRecordError);
        expect((await listAll()).flat()).toEqual(['kept']);
      });

      it('reads page by page: a consumer that stops early leaves the store usable', async () => {
        for (let i = 0; i < 25; i++) await write(`p${i}`);
        const seen: string[] = [];
        for await (const page of store.listUsers({ pageSize: 10 })) {
          seen.push(...page);
          break;
        }
        expect(seen).toHaveLength(10);
        expect((await listAll({ pageSize: 10 })).flat()).toHaveLength(25);
        await write('p0', 2);
        expect(counterOf(await store.readUser('p0'))).toBe(2);
      });

      it.each([0, -1, 1.5, 10_001, Number.NaN])('refuses pageSize %s with a RangeError', async (pageSize) => {
        await expect(listAll({ pageSize })).rejects.toBeInstanceOf(RangeError);
      });

      it('refuses to list once closed', async () => {
        await write('u1');
        await store.close();
        await expect(listAll()).rejects.toBeInstanceOf(StoreUnavailableError);
      });
    });

    describe('hostile ids', () => {
      it('rejects them with InvalidUserIdError before any I/O, in every method', async () => {
        await store.updateUser('someone', (state) => ({ result: null, state: counterState(state, 1, 0) }));
        const before = await h.everything();
        let called = false;
        const fn = () => {
          called = true;
          return { result: null };
        };
        for (const id of HOSTILE_IDS as string[]) {
          const label = JSON.stringify(id)?.slice(0, 40);
          await expect(store.readUser(id), label).rejects.toBeInstanceOf(InvalidUserIdError);
          await expect(store.updateUser(id, fn), label).rejects.toBeInstanceOf(InvalidUserIdError);
          await expect(store.deleteUser(id), label).rejects.toBeInstanceOf(InvalidUserIdError);
          await expect(store.readSync(id), label).rejects.toBeInstanceOf(InvalidUserIdError);
          await expect(store.updateSync(id, fn), label).rejects.toBeInstanceOf(InvalidUserIdError);
          await expect(store.readFigures(id), label).rejects.toBeInstanceOf(InvalidUserIdError);
          await expect(store.writeFigures(id, figures(1)), label).rejects.toBeInstanceOf(InvalidUserIdError);
        }
        expect(called).toBe(false);
        expect(await h.everything()).toEqual(before);
      });

      it('keeps the error message short for a 10 kB id', async () => {
        const error = await store.readUser('x'.repeat(10_000)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidUserIdError);
        expect((error as Error).message.length).toBeLessThan(300);
      });
    });

    describe('damaged records', () => {
      const damage: [string, string][] = [
        ['unparseable JSON', '{"v":1,"user_id":"u1","polic'],
        ['an empty file', ''],
        ['JSON of the wrong shape', '{"v":1,"user_id":"u1","policies":[],"decisions":{}}'],
        ['a record without a version', '{"user_id":"u1","policies":{},"decisions":[]}'],
        ['another user’s record', '{"v":1,"user_id":"u2","policies":{},"decisions":[]}'],
        ['a JSON array', '[1,2,3]'],
      ];

      for (const [what, raw] of damage) {
        it(`moves ${what} aside, fails that request only, and starts over empty`, async () => {
          await store.updateUser('u2', (state) => ({ result: null, state: counterState(state, 2, 0) }));
          await h.writeRaw('u1', 'state', raw);
          const error = await store.readUser('u1').catch((e: unknown) => e);
          expect(error).toBeInstanceOf(CorruptRecordError);
          expect(error).toMatchObject({ owner: 'u1', record: 'state' });
          const movedTo = (error as CorruptRecordError).movedTo;
          expect(movedTo).not.toBeNull();
          expect(await h.readAt(movedTo!)).toBe(raw);

          expect(await store.readUser('u1')).toEqual(emptyUserState('u1'));
          expect(counterOf(await store.readUser('u2'))).toBe(2);
          await store.updateUser('u1', (state) => ({ result: null, state: counterState(state, 1, 0) }));
          expect(counterOf(await store.readUser('u1'))).toBe(1);
        });
      }

      it('reports corruption found by updateUser without calling fn', async () => {
        await h.writeRaw('u1', 'state', 'garbage');
        let called = false;
        const error = await store
          .updateUser('u1', () => {
            called = true;
            return { result: null };
          })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CorruptRecordError);
        expect(called).toBe(false);
        expect(await store.updateUser('u1', (state) => ({ result: state.decisions.length }))).toBe(0);
      });

      it('treats the sync and figures records the same way', async () => {
        await h.writeRaw('u1', 'sync', '{"v":1,"task_count":"many"}');
        await expect(store.readSync('u1')).rejects.toMatchObject({
          name: 'CorruptRecordError',
          record: 'sync',
        });
        expect(await store.readSync('u1')).toBeNull();
        await h.writeRaw('u1', 'sync', 'nonsense');
        await expect(store.updateSync('u1', () => ({ result: null }))).rejects.toBeInstanceOf(
          CorruptRecordError,
        );

        await h.writeRaw('consumer', 'figures', '{');
        await expect(store.readFigures('consumer')).rejects.toMatchObject({
          name: 'CorruptRecordError',
          owner: 'consumer',
          record: 'figures',
        });
        expect(await store.readFigures('consumer')).toBeNull();
      });

      it('refuses a record of an unknown schema version and leaves it in place', async () => {
        const future = '{"v":2,"user_id":"u1","shiny":true}';
        await h.writeRaw('u1', 'state', future);
        for (let i = 0; i < 2; i++) {
          const error = await store.readUser('u1').catch((e: unknown) => e);
          expect(error).toBeInstanceOf(UnknownSchemaVersionError);
          expect(error).toMatchObject({ owner: 'u1', record: 'state', version: 2 });
        }
        await expect(store.updateUser('u1', () => ({ result: null }))).rejects.toBeInstanceOf(
          UnknownSchemaVersionError,
        );
        expect(await h.entriesOf('u1')).not.toEqual([]);
        await h.writeRaw('u1', 'sync', '{"v":7}');
        await expect(store.readSync('u1')).rejects.toBeInstanceOf(UnknownSchemaVersionError);
      });
    });

    // Both backends keep decoded states per process (docs/adr/0018); these pin down that the cache
    // is invisible: never stale, never shared mutable state, never a way around validation.
    describe('cached state', () => {
      const bump = (s: StateStore, userId: string) =>
        s.updateUser(userId, (state) => {
          const n = counterOf(state) + 1;
          return { result: n, state: counterState(state, n, 0) };
        });

      it('stays coherent between store instances taking turns on one user, one without a cache', async () => {
        const other = await openStore(h.spec);
        const uncached = await openStore({ ...h.spec, cacheBytes: 0 });
        try {
          const stores = [store, other, uncached];
          for (let n = 1; n <= 30; n++) {
            expect(await bump(stores[n % 3]!, 'turns')).toBe(n);
            for (const reader of stores) expect(counterOf(await reader.readUser('turns'))).toBe(n);
          }
          expect((await other.readUser('turns')).decisions.map((d) => d.decision_id)).toEqual(
            Array.from({ length: 30 }, (_, i) => `d-${30 - i}`),
          );
        } finally {
          await other.close();
          await uncached.close();
        }
      });

      it('sees a record replaced or damaged behind its back while it has it cached', async () => {
        await bump(store, 'u1');
        expect(counterOf(await store.readUser('u1'))).toBe(1);
        const edited = counterState(counterState(emptyUserState('u1'), 1, 0), 7, 0);
        await h.writeRaw('u1', 'state', JSON.stringify(edited));
        expect(await store.readUser('u1')).toEqual(edited);
        await h.writeRaw('u1', 'state', JSON.stringify(counterState(edited, 8, 0)));
        // An outcome that writes nothing must rest on the current record too, not on the cache.
        expect(await store.updateUser('u1', (state) => ({ result: counterOf(state) }))).toBe(8);
        expect(await bump(store, 'u1')).toBe(9);

        await h.writeRaw('u1', 'state', '{"v":1,"user_id":"u1","policies":{},"decisions":[{}]}');
        await expect(store.updateUser('u1', () => ({ result: null }))).rejects.toBeInstanceOf(
          CorruptRecordError,
        );
        expect(await store.readUser('u1')).toEqual(emptyUserState('u1'));
        await bump(store, 'u1');
        await h.writeRaw('u1', 'state', 'garbage');
        await expect(store.readUser('u1')).rejects.toBeInstanceOf(CorruptRecordError);
      });

      it('hands out frozen parts: fn may replace fields but cannot change the stored state', async () => {
        await bump(store, 'u1');
        const state = await store.readUser('u1');
        expect(() => {
          state.decisions[0]!.chosen_id = 'tampered';
        }).toThrow(TypeError);
        await expect(
          store.updateUser('u1', (current) => {
            current.decisions.push(current.decisions[0]!);
            return { result: null, state: current };
          }),
        ).rejects.toBeInstanceOf(TypeError);
        state.decisions = [];
        const again = await store.readUser('u1');
        expect(again.decisions).toHaveLength(1);
        expect(again.decisions[0]?.chosen_id).toBe('task-1');
      });

      it('validates only the new parts, and still refuses an invalid one next to trusted parts', async () => {
        for (let i = 0; i < 3; i++) await bump(store, 'u1');
        const refuse = (change: (state: UserState) => UserState) =>
          expect(
            store.updateUser('u1', (state) => ({ result: null, state: change(state) })),
          ).rejects.toBeInstanceOf(StateError);
        await refuse((s) => ({ ...s, decisions: [{ ...s.decisions[0]!, propensity: 2 }, ...s.decisions] }));
        await refuse((s) => ({
          ...s,
          policies: { ...s.policies, [COUNTER_POLICY]: { ...s.policies[COUNTER_POLICY]!, n_scores: -1 } },
        }));
        await refuse((s) => ({
          ...s,
          policies: {
            ...s.policies,
            [COUNTER_POLICY]: { ...s.policies[COUNTER_POLICY]!, extra: 1 } as never,
          },
        }));
        // A trusted object of one kind cannot pass for another.
        await refuse((s) => ({ ...s, decisions: [s.policies[COUNTER_POLICY]!.model as never] }));
        await refuse((s) => ({ ...s, decisions: [s.policies[COUNTER_POLICY] as never] }));
        await refuse((s) => ({ ...s, policies: { [COUNTER_POLICY]: s.decisions[0] as never } }));
        expect(counterOf(await store.readUser('u1'))).toBe(3);
      });

      it('caches exactly what a reader of the record parses (a Date, NaN in the opaque model)', async () => {
        await store.updateUser('u1', (state) => ({
          result: null,
          state: {
            ...counterState(state, 1, 0),
            policies: {
              [COUNTER_POLICY]: {
                model: { at: new Date(0), x: Number.NaN, list: [1, 2] },
                n_scores: 1,
                n_rewards: 0,
                reward_sum: 0,
                updated_at: null,
              },
            },
          },
        }));
        const fresh = await openStore({ ...h.spec, cacheBytes: 0 });
        try {
          const cached = await store.readUser('u1');
          expect(cached).toEqual(await fresh.readUser('u1'));
          expect(cached.policies[COUNTER_POLICY]?.model).toEqual({
            at: '1970-01-01T00:00:00.000Z',
            x: null,
            list: [1, 2],
          });
        } finally {
          await fresh.close();
        }
      });

      it('keeps two OS processes coherent when they take turns on one user', {
        timeout: 60_000,
      }, async () => {
        if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: build first`);
        const worker = startWorker({ spec: h.spec, userId: 'turns', mode: 'step' });
        await worker.ready;
        try {
          for (let n = 1; n < 40; n += 2) {
            worker.child.stdin?.write('step\n');
            await worker.acked((n + 1) / 2);
            expect(worker.acks().at(-1), worker.stderr()).toBe(n);
            expect(await bump(store, 'turns')).toBe(n + 1);
          }
        } finally {
          worker.child.stdin?.end();
        }
        expect(await worker.exited).toEqual([0, null]);
        expect(counterOf(await store.readUser('turns'))).toBe(40);
      });
    });

    describe('concurrency', () => {
      beforeAll(() => {
        if (!existsSync(WORKER)) {
          throw new Error(`${WORKER} is missing: build first (pnpm turbo run build --filter=@oo/state)`);
        }
      });

      it('loses no update among 300 concurrent updates from two store instances in one process', async () => {
        const other = await openStore(h.spec);
        try {
          const increment = (s: StateStore) =>
            s.updateUser('hot', (state) => {
              const n = counterOf(state) + 1;
              return { result: n, state: counterState(state, n, 0) };
            });
          const results = await Promise.all([
            ...Array.from({ length: 200 }, () => increment(store)),
            ...Array.from({ length: 100 }, () => increment(other)),
          ]);
          expect(new Set(results).size).toBe(300);
          expect(counterOf(await store.readUser('hot'))).toBe(300);
        } finally {
          await other.close();
        }
      });

      it('loses no update among 500 concurrent updates from two OS processes', {
        timeout: 120_000,
      }, async () => {
        const workers = [0, 1].map(() =>
          startWorker({ spec: h.spec, userId: 'hot', mode: 'increment', count: 250 }),
        );
        await Promise.all(workers.map((w) => w.ready));
        for (const w of workers) w.go();
        const outcomes = await Promise.all(workers.map((w) => w.exited));
        expect(outcomes, `worker stderr:\n${workers.map((w) => w.stderr()).join('\n')}`).toEqual([
          [0, null],
          [0, null],
        ]);

        const state = await store.readUser('hot');
        expect(counterOf(state)).toBe(500);
        // Each update saw its predecessor's write: the log holds exactly the last 100 increments.
        expect(state.decisions.map((d) => d.decision_id)).toEqual(
          Array.from({ length: DECISION_LOG_SIZE }, (_, i) => `d-${500 - i}`),
        );
        expect(await h.leftovers('hot')).toEqual([]);
      });

      it('keeps every record whole when a writer is SIGKILLed at random moments, 50 times', {
        timeout: 180_000,
      }, async () => {
        const padding = 2_000;
        const rounds = 50;
        const start = () => startWorker({ spec: h.spec, userId: 'crashy', mode: 'crash-loop', padding });
        // Workers are started ahead, so their start-up overlaps the rounds before theirs.
        const upcoming = [start(), start()];
        let lastAck = 0;
        let previous = 0;
        try {
          for (let round = 0; round < rounds; round++) {
            const worker = upcoming.shift()!;
            if (round + upcoming.length + 1 < rounds) upcoming.push(start());
            await worker.ready;
            worker.go();
            // Kill at a random moment of the write loop: before its first write (breaking the
            // previous worker's lock, sweeping its temp file) or after a few acknowledged ones.
            await worker.acked(Math.floor(Math.random() * 3));
            await sleep(Math.random() * 15);
            worker.child.kill('SIGKILL');
            const [code, signal] = await worker.exited;
            expect({ code, signal }, `worker stderr:\n${worker.stderr()}`).toEqual({
              code: null,
              signal: 'SIGKILL',
            });
            lastAck = Math.max(lastAck, ...worker.acks());

            // Reading must never meet a torn record, and what it finds is a value that was written:
            // the last one known (acknowledged, or read after the previous kill), or the single
            // write whose acknowledgement this kill cut off.
            const state = await store.readUser('crashy');
            const n = counterOf(state);
            const known = Math.max(lastAck, previous);
            expect(n).toBeGreaterThanOrEqual(known);
            expect(n).toBeLessThanOrEqual(known + 1);
            if (n > 0) expect(state).toEqual(counterStateChain(n, padding));
            const syncRecord = await store.readSync('crashy');
            if (syncRecord !== null) {
              expect(syncRecord.task_count).toBeGreaterThanOrEqual(lastAck);
              expect(syncRecord.task_count).toBeLessThanOrEqual(n);
              expect(syncRecord.event_ids).toEqual([`e-${syncRecord.task_count}`]);
            }
            previous = n;
          }
        } finally {
          for (const worker of upcoming) worker.child.kill('SIGKILL');
        }
        expect(lastAck).toBeGreaterThan(0);

        // No writer is left holding the user: the next update gets through at once (or after the
        // short grace a lock file gets when the kill fell between its creation and its content).
        const started = Date.now();
        await store.updateUser('crashy', (state) => ({
          result: null,
          state: counterState(state, counterOf(state) + 1, 0),
        }));
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(counterOf(await store.readUser('crashy'))).toBe(previous + 1);
        expect(await h.leftovers('crashy')).toEqual([]);
      });
    });
  });
}

/** The state the crash-loop worker has written after `n` increments (its log holds the last 100). */
function counterStateChain(n: number, padding: number): UserState {
  let state = emptyUserState('crashy');
  for (let i = Math.max(1, n - DECISION_LOG_SIZE + 1); i <= n; i++) state = counterState(state, i, padding);
  return state;
}

function decision(id: string): DecisionRecord {
  return {
    decision_id: id,
    policy: COUNTER_POLICY,
    ts: '2025-01-01T00:00:00.000Z',
    expires_at: '2025-01-01T00:10:00.000Z',
    chosen_id: 'task-1',
    features: [0.5, 1],
    propensity: 0.9,
    reward: null,
    rewarded_at: null,
  };
}

function sync(taskCount: number, eventIds: string[]): SyncRecord {
  return {
    v: 1,
    last_sync_ts: '2025-01-01T00:00:00Z',
    task_count: taskCount,
    event_ids: eventIds,
    updated_at: '2025-01-01T00:00:01.000Z',
  };
}

function figures(processed: number): FiguresRecord {
  return {
    v: 1,
    consumers: {
      signals: { last_msg_ts: '2025-01-01T00:00:00.000Z', processed, errors: 0 },
      feedback: { last_msg_ts: null, processed: 0, errors: 0 },
    },
    updated_at: '2025-01-01T00:00:02.000Z',
  };
}

interface Worker {
  child: ChildProcess;
  /** Resolves once the worker has opened its store (or exited). */
  ready: Promise<void>;
  /** Lets the worker start. */
  go(): void;
  /** Resolves once the worker has acknowledged `count` writes (or exited). */
  acked(count: number): Promise<void>;
  /** Resolves with the exit code and signal. */
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  acks(): number[];
  stderr(): string;
}

function startWorker(task: WorkerTask): Worker {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(task)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let closed = false;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };
  const until = (condition: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (closed || condition()) {
          listeners.delete(check);
          resolve();
        }
      };
      listeners.add(check);
      check();
    });
  const acks = () => [...out.matchAll(/^ack (\d+)$/gm)].map((m) => Number(m[1]));
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    notify();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  child.stdin?.on('error', () => {});
  // 'close', not 'exit': only then has every line the child wrote been read from the pipe.
  const exited = once(child, 'close').then(([code, signal]) => {
    closed = true;
    notify();
    return [code, signal] as [number | null, NodeJS.Signals | null];
  });
  return {
    child,
    ready: until(() => out.startsWith('ready\n')),
    go: () => child.stdin?.write('go\n'),
    acked: (count) => until(() => acks().length >= count),
    exited,
    acks,
    stderr: () => err,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
