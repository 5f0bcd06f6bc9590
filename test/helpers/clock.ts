/**
 * A fixed clock for a whole test file: `Date` is faked at `t0` before each
 * test and restored after it (timers stay real, so servers and promises work).
 *
 * @returns `at(seconds)`, which moves the clock to `t0 + seconds`.
 */
import { afterEach, beforeEach, vi } from 'vitest';

export function fixClock(t0: number): (seconds: number) => void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(t0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  return (seconds) => vi.setSystemTime(t0 + seconds * 1000);
}
