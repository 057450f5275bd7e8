import { z } from 'zod';

// Building blocks shared by several schemas. They carry descriptions but no registry id, so the
// JSON Schema and OpenAPI generators inline them instead of minting a component per field.

/** RFC 3339 date-time with seconds and a `Z` or `±hh:mm` offset; impossible dates (Feb 30) fail. */
export const IsoDateTime = z.iso.datetime({
  offset: true,
  error: 'must be an RFC 3339 date-time with seconds and a Z or ±hh:mm offset, e.g. 2025-01-31T09:30:00Z',
});

// C0 controls, DEL and C1 controls: they have no business in an id that is echoed into JSON
// responses and log lines.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the class exists to reject control characters
const PRINTABLE_PATTERN = /^[^\x00-\x1f\x7f-\x9f]{1,128}$/;

/**
 * An id chosen by the caller for a task, tip or candidate: 1–128 UTF-16 code units, any
 * printable character (Unicode included), no control characters. These ids are only echoed
 * back and compared, never used to build a storage key, so they need not be as narrow as user ids.
 */
export function opaqueId(field: string) {
  return z.string().regex(PRINTABLE_PATTERN, {
    error: `${field} must be 1–128 characters with no control characters`,
  });
}

// A short machine-readable name (consent, context, prompt version): it appears in messages,
// logs and, for prompt versions, in a file lookup, so it cannot contain `/` or start with `.`.
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export function nameToken(field: string) {
  return z.string().regex(NAME_PATTERN, {
    error: `${field} must be 1–64 characters of [A-Za-z0-9._:-], starting with a letter or digit`,
  });
}

/** Task priority, 1 (lowest) … 4 (highest), as the encoders expect it. */
export const Priority = z
  .literal([1, 2, 3, 4], { error: 'priority must be one of the integers 1, 2, 3, 4' })
  // zod-to-openapi 8/9 renders a multi-value literal as `enum: [1]` (first value only); an explicit
  // `type` in the metadata makes it use this description as is, and z.toJSONSchema merges it too.
  .meta({ type: 'integer', enum: [1, 2, 3, 4], description: 'Task priority: 1 (lowest) to 4 (highest).' });

/** Adds an issue at `[i, 'id']` for every element whose `id` repeats an earlier one. */
export function refineUniqueIds(items: readonly { id: string }[], ctx: z.RefinementCtx, label: string): void {
  const firstIndex = new Map<string, number>();
  for (let i = 0; i < items.length; i++) {
    const id = items[i]!.id;
    const first = firstIndex.get(id);
    if (first === undefined) {
      firstIndex.set(id, i);
    } else {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'id'],
        input: id,
        message: `${label} ids must be unique: this id repeats ${label}[${first}].id`,
      });
    }
  }
}
