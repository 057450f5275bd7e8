/** The run could not go on: over HTTP, the service is unhealthy or answered something impossible. */
export class SimulationError extends Error {
  override name = 'SimulationError';
}
