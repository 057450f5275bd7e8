import type { TestTask } from './bodies.js';

/**
 * SPEC §2 written out for tests, independently of @oo/bandit's encoders: the vector of `task` for
 * `policy` at decision time `now` and offset `tzOffsetMin`, with `profile` for egreedy-v2.
 */
export function specFeatures(
  policy: 'linucb-v1' | 'egreedy-v1' | 'egreedy-v2',
  task: TestTask,
  now: string,
  profile?: readonly number[],
  tzOffsetMin = 0,
): number[] {
  const at = Date.parse(now);
  const local = new Date(at + tzOffsetMin * 60_000);
  const hour = local.getUTCHours() + local.getUTCMinutes() / 60 + local.getUTCSeconds() / 3600;
  const ageDays = (at - Date.parse(task.created_at)) / 86_400_000;
  const base = [
    Math.sin((2 * Math.PI * hour) / 24),
    Math.cos((2 * Math.PI * hour) / 24),
    task.due_at !== null && Date.parse(task.due_at) < at ? 1 : 0,
    Math.min(1, Math.max(0, ageDays / 30)),
    (task.priority - 1) / 3,
  ];
  if (policy === 'linucb-v1') return base;
  const weekday = (local.getUTCDay() + 6) % 7; // Monday = 0 … Sunday = 6
  const week = [...base, Math.sin((2 * Math.PI * weekday) / 7), Math.cos((2 * Math.PI * weekday) / 7)];
  if (policy === 'egreedy-v1') return week;
  if (!profile) throw new Error('egreedy-v2 needs profile features');
  return [...week, ...profile];
}
