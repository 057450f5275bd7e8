/** A message whose payload is not JSON or does not match its subject's v1 event schema. */
export class InvalidPayloadError extends Error {
  override readonly name = 'InvalidPayloadError';
}

/** The worker was asked to start without what it needs, or twice. */
export class WorkerStateError extends Error {
  override readonly name = 'WorkerStateError';
}
