import { CorruptRecordError, type StateStore } from '@oo/state';
import { type SkippedDecision, userDecisionLines } from './decision-lines.js';

/** Users read per page of an all-users export: the ids of one page are held at a time. */
export const EXPORT_PAGE_SIZE = 100;

export interface DecisionExportOptions {
  /** One user's log; absent: every user's, page by page. */
  userId?: string;
  /** A decision left out because its line would be invalid. */
  onSkippedDecision?: (skipped: SkippedDecision) => void;
  /** A user left out of an all-users export because their record is corrupt (moved aside). */
  onCorruptUser?: (userId: string, error: CorruptRecordError) => void;
}

/**
 * The decision log as NDJSON text, one chunk per user with lines, read as the consumer pulls:
 * memory holds one page of user ids and one user's state, whatever the number of users. In an
 * all-users export a corrupt record costs that user only; one user asked for by id fails as any
 * read of it does (CorruptRecordError, StoreUnavailableError).
 */
export async function* exportDecisionLog(
  store: StateStore,
  options: DecisionExportOptions = {},
): AsyncGenerator<string> {
  const { userId } = options;
  if (userId !== undefined) {
    const text = linesOf(await store.readUser(userId), options);
    if (text !== '') yield text;
    return;
  }
  for await (const page of store.listUsers({ pageSize: EXPORT_PAGE_SIZE })) {
    for (const id of page) {
      let text: string;
      try {
        text = linesOf(await store.readUser(id), options);
      } catch (error) {
        if (!(error instanceof CorruptRecordError)) throw error;
        options.onCorruptUser?.(id, error);
        continue;
      }
      if (text !== '') yield text;
    }
  }
}

function linesOf(state: Parameters<typeof userDecisionLines>[0], options: DecisionExportOptions): string {
  const { text, skipped } = userDecisionLines(state);
  for (const entry of skipped) options.onSkippedDecision?.(entry);
  return text;
}
