import { SYNC_EVENT_IDS_SIZE, SyncRecord } from '@oo/state';
import { describe, expect, it } from 'vitest';
import { applyTaskSynced } from './task-synced.js';

const NOW = '2025-03-01T12:00:00.000Z';
const event = {
  event_id: 'e2',
  occurred_at: '2025-03-01T10:00:00Z',
  user_id: 'u1',
  last_sync_ts: '2025-03-01T10:00:00Z',
  task_count: 4,
};
const record: SyncRecord = {
  v: 1,
  last_sync_ts: '2025-03-01T09:00:00Z',
  task_count: 3,
  event_ids: ['e1'],
  updated_at: '2025-03-01T09:00:01.000Z',
};

describe('applyTaskSynced', () => {
  it('creates the record for a user without one', () => {
    const update = applyTaskSynced(null, event, NOW);
    expect(update).toEqual({
      result: 'applied',
      state: { v: 1, last_sync_ts: event.last_sync_ts, task_count: 4, event_ids: ['e2'], updated_at: NOW },
    });
    expect(SyncRecord.safeParse(update.state).success).toBe(true);
  });

  it('replaces an older record, remembering the new id first', () => {
    expect(applyTaskSynced(record, event, NOW)).toMatchObject({
      result: 'applied',
      state: { task_count: 4, event_ids: ['e2', 'e1'] },
    });
  });

  it('writes nothing for an id it already holds', () => {
    expect(applyTaskSynced({ ...record, event_ids: ['e9', 'e2'] }, event, NOW)).toEqual({
      result: 'duplicate',
    });
  });

  it('keeps a newer record but records the late event’s id', () => {
    const newer = { ...record, last_sync_ts: '2025-03-01T11:00:00Z' };
    expect(applyTaskSynced(newer, event, NOW)).toEqual({
      result: 'stale',
      state: { ...newer, event_ids: ['e2', 'e1'], updated_at: NOW },
    });
  });

  it('compares instants, not strings, across time-zone offsets', () => {
    // 10:30+02:00 is 08:30Z: older than the record's 09:00Z despite sorting after it as text.
    const late = { ...event, last_sync_ts: '2025-03-01T10:30:00+02:00' };
    expect(applyTaskSynced(record, late, NOW).result).toBe('stale');
  });

  it('bounds the remembered ids', () => {
    const full = { ...record, event_ids: Array.from({ length: SYNC_EVENT_IDS_SIZE }, (_, i) => `old-${i}`) };
    const { state } = applyTaskSynced(full, event, NOW);
    expect(state?.event_ids).toHaveLength(SYNC_EVENT_IDS_SIZE);
    expect(state?.event_ids[0]).toBe('e2');
    expect(state?.event_ids).not.toContain(`old-${SYNC_EVENT_IDS_SIZE - 1}`);
  });
});
