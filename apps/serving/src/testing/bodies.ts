/** Request bodies for tests. */
export interface TestTask {
  due_at: string | null;
  created_at: string;
  priority: 1 | 2 | 3 | 4;
}

export const NOW = '2025-03-03T06:00:00Z'; // a Monday, 06:00 UTC

export function task(overrides: Partial<TestTask> = {}): TestTask {
  return { due_at: null, created_at: '2025-02-20T09:00:00Z', priority: 2, ...overrides };
}

/** `n` distinct candidates: priorities cycle 1..4, every other one overdue. */
export function candidates(n: number): { id: string; task: TestTask }[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `c${i}`,
    task: task({
      priority: ((i % 4) + 1) as TestTask['priority'],
      due_at: i % 2 === 0 ? '2025-03-01T00:00:00Z' : '2025-03-10T00:00:00Z',
      created_at: `2025-02-${String(1 + (i % 28)).padStart(2, '0')}T12:00:00Z`,
    }),
  }));
}

export const PROFILE = [0.5, 0.25, 0.75, 0.1, 0.9];

export function scoreBody(userId: string, n = 3, extra: Record<string, unknown> = {}) {
  return { user_id: userId, candidates: candidates(n), now: NOW, ...extra };
}
