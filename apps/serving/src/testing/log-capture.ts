/** A pino destination that keeps every line, parsed, for tests that read real log output. */
export interface LogCapture {
  write(line: string): void;
  readonly lines: Record<string, unknown>[];
}

export function createLogCapture(): LogCapture {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    write(chunk) {
      for (const line of chunk.split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
    },
  };
}
