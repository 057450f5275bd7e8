import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyed-mutex.js';

const timeout = () => new Error('timed out');

describe('KeyedMutex', () => {
  it('grants one key at a time, in arrival order', async () => {
    const mutex = new KeyedMutex();
    const order: number[] = [];
    let inside = 0;
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const release = await mutex.acquire('k', 5_000, timeout);
        inside++;
        expect(inside).toBe(1);
        order.push(i);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inside--;
        release();
      }),
    );
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(mutex.isHeld('k')).toBe(false);
  });

  it('keeps keys independent', async () => {
    const mutex = new KeyedMutex();
    const a = await mutex.acquire('a', 100, timeout);
    const b = await mutex.acquire('b', 100, timeout);
    a();
    b();
    expect(mutex.isHeld('a') || mutex.isHeld('b')).toBe(false);
  });

  it('rejects a waiter at its time-out and never grants it afterwards', async () => {
    const mutex = new KeyedMutex();
    const release = await mutex.acquire('k', 100, timeout);
    const started = Date.now();
    await expect(mutex.acquire('k', 50, timeout)).rejects.toThrow('timed out');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    const next = mutex.acquire('k', 1_000, timeout);
    release();
    release();
    const releaseNext = await next;
    expect(mutex.isHeld('k')).toBe(true);
    releaseNext();
    expect(mutex.isHeld('k')).toBe(false);
  });
});
