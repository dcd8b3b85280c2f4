import { describe, expect, it } from 'vitest';
import { CommandTimeoutError, DeadlineQueue } from '../src/deadline.js';

const never = <T>(): Promise<T> => new Promise<T>(() => {});
const later = <T>(ms: number, value: T): Promise<T> =>
  new Promise((resolve) => setTimeout(resolve, ms, value));

describe('DeadlineQueue', () => {
  it('passes through a command that answers in time', async () => {
    const queue = new DeadlineQueue(200);
    await expect(queue.bound(Promise.resolve('ok'))).resolves.toBe('ok');
    await expect(queue.bound(Promise.reject(new Error('reply error')))).rejects.toThrow('reply error');
    expect(queue.pending).toBe(0);
  });

  it('rejects a command that never answers with CommandTimeoutError', async () => {
    const queue = new DeadlineQueue(30);
    await expect(queue.bound(never())).rejects.toBeInstanceOf(CommandTimeoutError);
    expect(queue.pending).toBe(0);
  });

  it('expires each command at its own deadline, in order, with one timer', async () => {
    const queue = new DeadlineQueue(40);
    const settledAt: number[] = [];
    const start = performance.now();
    const first = queue.bound(never()).catch(() => settledAt.push(performance.now() - start));
    await later(25, undefined);
    const second = queue.bound(never()).catch(() => settledAt.push(performance.now() - start));
    const third = queue.bound(later(5, 'fast'));
    await expect(third).resolves.toBe('fast');
    await Promise.all([first, second]);
    // Never before its own deadline: the second was issued 25 ms after the first.
    expect(settledAt[0]).toBeGreaterThanOrEqual(39);
    expect(settledAt[1]).toBeGreaterThanOrEqual(64);
  });

  it('a late failure of an expired command is handled (no unhandled rejection)', async () => {
    const queue = new DeadlineQueue(10);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(
        queue.bound(later(30, undefined).then(() => Promise.reject(new Error('late')))),
      ).rejects.toBeInstanceOf(CommandTimeoutError);
      await later(50, undefined);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('run() maps replies, failures and timeouts to answers and never rejects', async () => {
    const queue = new DeadlineQueue(20);
    const onError = (error: unknown): string => (error instanceof CommandTimeoutError ? 'timeout' : 'error');
    await expect(queue.run(Promise.resolve(2), (n) => `value ${n}`, onError)).resolves.toBe('value 2');
    await expect(queue.run(Promise.reject(new Error('x')), String, onError)).resolves.toBe('error');
    await expect(queue.run(never(), String, onError)).resolves.toBe('timeout');
    const throwing = (): string => {
      throw new Error('decoder bug');
    };
    await expect(queue.run(Promise.resolve(1), throwing, onError)).resolves.toBe('error');
  });

  it('marks a timeout silent when no command answered while it waited', async () => {
    const queue = new DeadlineQueue(30);
    const reasons: CommandTimeoutError[] = [];
    const onError = (error: unknown): undefined => void reasons.push(error as CommandTimeoutError);
    await queue.run(never(), String, onError);
    expect(reasons[0]).toBeInstanceOf(CommandTimeoutError);
    expect(reasons[0]?.silent).toBe(true);
    expect(reasons[0]?.message).toContain('no reply to any command meanwhile');
  });

  it('does not mark a timeout silent when another command answered while it waited', async () => {
    const queue = new DeadlineQueue(40);
    const stuck = queue.bound(never());
    await queue.bound(later(5, 'answered'));
    const reason = await stuck.catch((error: unknown) => error);
    expect(reason).toBeInstanceOf(CommandTimeoutError);
    expect((reason as CommandTimeoutError).silent).toBe(false);
    // Silence is judged per command: one sent after the last answer is silent again.
    await expect(queue.bound(never())).rejects.toMatchObject({ silent: true });
  });

  it('keeps the queue short when commands settle in order', async () => {
    const queue = new DeadlineQueue(10_000);
    for (let i = 0; i < 5000; i++) await queue.bound(Promise.resolve(i));
    expect(queue.pending).toBe(0);
    expect(queue.slots).toBeLessThanOrEqual(1);
  });
});
