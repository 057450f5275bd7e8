import cliProgress from 'cli-progress';

export interface Progress {
  /** One more user-round done. */
  tick(): void;
  stop(): void;
}

const SILENT: Progress = { tick() {}, stop() {} };

/**
 * A progress bar on `stream` (stderr, so stdout stays clean for the table), or nothing when
 * disabled: a bar only makes sense on a terminal.
 */
export function createProgress(
  total: number,
  options: { enabled: boolean; stream: NodeJS.WritableStream; label: string },
): Progress {
  if (!options.enabled) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      stream: options.stream,
      format: `${options.label} {bar} {percentage}% | {value}/{total} user-decisions | {duration_formatted} elapsed, ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 200,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    tick: () => bar.increment(),
    stop: () => bar.stop(),
  };
}
