/** The per-task and clock features shared by every policy (SPEC §2), in vector order. */
export const TASK_FEATURE_NAMES = ['hour_sin', 'hour_cos', 'is_overdue', 'task_age', 'priority'] as const;

export const WEEKDAY_FEATURE_NAMES = ['dow_sin', 'dow_cos'] as const;

/** The profile features the caller computes (ADR-0011), in the order egreedy-v2 expects them. */
export const PROFILE_FEATURE_NAMES = [
  'completion_rate_7d',
  'tip_accept_rate_30d',
  'active_hour_overlap',
  'backlog_pressure',
  'engagement_streak',
] as const;

export type FeatureName =
  | (typeof TASK_FEATURE_NAMES)[number]
  | (typeof WEEKDAY_FEATURE_NAMES)[number]
  | (typeof PROFILE_FEATURE_NAMES)[number];
