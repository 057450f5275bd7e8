import type { ChatMessage } from '../llm/chat-completions.js';

/** What a tip prompt is rendered from. Titles are user content: they go into messages only. */
export interface TipPromptInput {
  /** Decision time, so the model can tell overdue from upcoming. */
  now: Date;
  /** How many tips to ask for. */
  n: number;
  tasks: ReadonlyArray<{ id: string; title: string; due_at?: string | null; priority?: number }>;
  /** Already validated against the agent's `pref_schema`. */
  prefs: Readonly<Record<string, unknown>>;
}

/**
 * A versioned prompt. A version is immutable once released: changing the wording means adding
 * `v2`, so a tip can always be traced to the exact prompt that produced it.
 */
export interface PromptTemplate {
  readonly version: string;
  /** The chat messages sent to the gateway; the answer must be JSON `{ "tips": [{ "task_id", "text" }] }`. */
  render(input: TipPromptInput): ChatMessage[];
}
