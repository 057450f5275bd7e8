import type { LogEntry } from './read-log.js';

export interface FitEvaluateSplit {
  /** Decisions the learned targets' models are fitted on, in time order. */
  fit: LogEntry[];
  /** Decisions every target is evaluated on, in time order; no model saw their rewards. */
  evaluate: LogEntry[];
}

/** Time order: by decision time, then by line, so equal timestamps keep the log's order. */
export function byTime(a: LogEntry, b: LogEntry): number {
  return a.tsMs - b.tsMs || a.line - b.line;
}

/**
 * Per user, the earliest ⌊fraction·n⌋ decisions (by `ts`) fit the targets' models and the rest
 * are evaluated. Splitting per user rather than at one global instant mirrors the service (one model
 * per user, SPEC §3) and keeps every user in the evaluation; for each user, every fitted decision
 * precedes every evaluated one, so a target never saw a reward it is judged on, nor anything
 * decided after it. (Users are independent: another user's later decisions carry nothing about
 * this user's rewards.)
 */
export function splitForFitting(entries: readonly LogEntry[], fraction: number): FitEvaluateSplit {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError('fraction must be in [0, 1)');
  const byUser = new Map<string, LogEntry[]>();
  for (const entry of entries) {
    const list = byUser.get(entry.userId);
    if (list === undefined) byUser.set(entry.userId, [entry]);
    else list.push(entry);
  }
  const fit: LogEntry[] = [];
  const evaluate: LogEntry[] = [];
  for (const list of byUser.values()) {
    list.sort(byTime);
    const cut = Math.floor(fraction * list.length);
    for (let i = 0; i < list.length; i++) (i < cut ? fit : evaluate).push(list[i]!);
  }
  fit.sort(byTime);
  evaluate.sort(byTime);
  return { fit, evaluate };
}
