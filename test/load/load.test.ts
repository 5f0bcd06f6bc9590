/**
 * Load, CI profile: 100 virtual browsers for 10 s against the demo server
 * (each process of its own; see harness.ts). No errors, no unexpected
 * status, no lost update for any client, and neither the server's RSS nor its
 * live JS heap (both after a full GC) grows by more than 10 % after warm-up. `npm run soak` runs the same for 60 s.
 */
import { describe, expect, it } from 'vitest';
import { describeReport, problems, trend, runLoad } from './harness';

describe('load', () => {
  it('100 browsers, 10 s: every update lands, nothing fails, memory does not grow', async () => {
    const report = await runLoad({ seconds: 10, connections: 100, warmupSeconds: 4 });
    console.info(describeReport(report));
    expect(problems(report)).toEqual([]);
    expect(report.clients.requests).toBeGreaterThan(1000);
  }, 60_000);

  it('the memory trend flags growth after warm-up, and ignores the warm-up itself', () => {
    const MB = 2 ** 20;
    expect(trend([50, 90, 100, 101, 99, 100, 100, 101].map((x) => x * MB), 2).change).toBeCloseTo(0, 1);
    const leaking = trend([100, 100, 100, 110, 120, 130, 140, 150].map((x) => x * MB), 2);
    expect(leaking.change).toBeGreaterThan(0.1);
  });
});
