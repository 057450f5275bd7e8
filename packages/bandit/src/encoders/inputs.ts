/** One candidate task, as the app sends it (SPEC §2). */
export interface TaskInput {
  /** ISO-8601 with offset, or null when the task has no due date. */
  due_at: string | null;
  /** ISO-8601 with offset. */
  created_at: string;
  priority: 1 | 2 | 3 | 4;
}

/** What the encoders need besides the task: the decision instant and the user's profile. */
export interface EncodeContext {
  /** Decision time. */
  now: Date;
  /** Minutes east of UTC, an integer in [-840, 840]; local time = now + tz_offset_min. */
  tz_offset_min: number;
  /** The 5 caller-computed profile features in PROFILE_FEATURE_NAMES order; required by egreedy-v2. */
  profile_features?: readonly number[];
}
