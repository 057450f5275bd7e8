import { z } from 'zod';
import { UpstreamInvalidResponseError } from '../llm/errors.js';

/** The JSON every tip prompt asks for: `{ "tips": [{ "task_id", "text" }] }`. */
export const TipAnswer = z.object({
  tips: z.array(
    z.object({
      task_id: z.string(),
      text: z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters'),
    }),
  ),
});
export type TipAnswer = z.infer<typeof TipAnswer>;

// Models asked for bare JSON still sometimes wrap it in a Markdown code fence (```json … ```).
const FENCED = /^```[A-Za-z0-9_-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```$/;
const MAX_PROBLEMS = 5;

/**
 * Parses the assistant's content into tips, each about one of `taskIds`. Anything else is an
 * `UpstreamInvalidResponseError` (502) whose problem names schema paths only: the content itself
 * may quote task titles and never reaches an error or a log.
 */
export function parseTipAnswer(content: string, taskIds: ReadonlySet<string>): TipAnswer['tips'] {
  const trimmed = content.trim();
  const json = FENCED.exec(trimmed)?.[1] ?? trimmed;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new UpstreamInvalidResponseError('the answer is not JSON');
  }
  const parsed = TipAnswer.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, MAX_PROBLEMS)
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
    throw new UpstreamInvalidResponseError(
      `the answer does not match the tip schema (${problems.join('; ')})`,
    );
  }
  const unknown = parsed.data.tips.findIndex((tip) => !taskIds.has(tip.task_id));
  if (unknown !== -1) {
    throw new UpstreamInvalidResponseError(`tips.${unknown}.task_id is not one of the request's task ids`);
  }
  return parsed.data.tips;
}
