import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type BreakerState } from '../src/circuit-breaker.js';

function breakerWithClock(failureThreshold = 3, cooldownMs = 1000) {
  let now = 0;
  const changes: BreakerState[] = [];
  const breaker = new CircuitBreaker({
    failureThreshold,
    cooldownMs,
    now: () => now,
    onStateChange: (state) => changes.push(state),
  });
  return { breaker, changes, advance: (ms: number) => (now += ms) };
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures, not before', () => {
    const { breaker, changes } = breakerWithClock(3);
    breaker.recordFailure(new Error('1'));
    breaker.recordFailure(new Error('2'));
    expect(breaker.state).toBe('closed');
    breaker.recordFailure(new Error('3'));
    expect(breaker.state).toBe('open');
    expect(breaker.closed).toBe(false);
    expect(changes).toEqual(['open']);
  });

  it('a success resets the count of consecutive failures', () => {
    const { breaker } = breakerWithClock(3);
    breaker.recordFailure(1);
    breaker.recordFailure(2);
    breaker.recordSuccess();
    breaker.recordFailure(3);
    breaker.recordFailure(4);
    expect(breaker.state).toBe('closed');
    expect(breaker.failures).toBe(2);
  });

  it('allows one probe only after the cooldown, and closes when it succeeds', () => {
    const { breaker, changes, advance } = breakerWithClock(1, 1000);
    breaker.recordFailure('down');
    expect(breaker.tryStartProbe()).toBe(false);
    expect(breaker.msUntilProbe).toBe(1000);
    advance(999);
    expect(breaker.tryStartProbe()).toBe(false);
    advance(1);
    expect(breaker.tryStartProbe()).toBe(true);
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryStartProbe()).toBe(false);
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'half-open', 'closed']);
  });

  it('a failed probe re-opens at once and restarts the cooldown', () => {
    const { breaker, advance } = breakerWithClock(5, 200);
    for (let i = 0; i < 5; i++) breaker.recordFailure(i);
    advance(200);
    expect(breaker.tryStartProbe()).toBe(true);
    breaker.recordFailure('still down');
    expect(breaker.state).toBe('open');
    expect(breaker.msUntilProbe).toBe(200);
  });

  it('reports each transition once, however many failures arrive while open', () => {
    const { breaker, changes } = breakerWithClock(2);
    for (let i = 0; i < 100; i++) breaker.recordFailure(i);
    breaker.recordSuccess();
    for (let i = 0; i < 100; i++) breaker.recordSuccess();
    expect(changes).toEqual(['open', 'closed']);
  });
});
