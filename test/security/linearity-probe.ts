/**
 * Measures how the CPU time of `store.load(header)` grows from a 256 kB to a
 * 1 MB header of each hostile shape, with the session cookie at the end.
 * Prints one JSON object: shape → { smallMs, largeMs, ratio }.
 *
 * Run as its own process by headers.test.ts: CPU time (process.cpuUsage) is
 * immune to the scheduler on a busy machine, where wall time of a 10 ms job
 * includes however long other processes held the core, but it counts every
 * thread of the process, so no other test may share it.
 *
 * Noise on a shared machine only ever adds time (a neighbour thrashing the
 * caches, a GC thread, a frequency dip), so each size keeps its fastest
 * round, and the rounds of both sizes alternate so that a slow stretch of
 * the machine falls on both. A median of a few rounds was not enough: one CI
 * run read 8.0x for a shape that measures 3.6-4.4x.
 */
import { CookieSessionStore } from '../../src/index';
import { KB, MB, SHAPES } from './header-shapes';
import { issue, SECRET_1 } from './helpers';

const ROUNDS = 9;

const store = new CookieSessionStore({ keys: SECRET_1 });
const { header: session } = await issue(store, { user: 'alice' });
const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** CPU ms per load over one round of `reps` loads, after a full GC. */
async function cpuPerLoad(header: string, reps: number): Promise<number> {
  collect();
  const before = process.cpuUsage();
  for (let i = 0; i < reps; i++) {
    const s = await store.load(header);
    if (s.isNew) throw new Error('the session was not found');
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / reps;
}

const result: Record<string, { smallMs: number; largeMs: number; ratio: number }> = {};
for (const [shape, build] of Object.entries(SHAPES)) {
  const small = `${build(256 * KB)}; ${session}`;
  const large = `${build(MB)}; ${session}`;
  await cpuPerLoad(small, 4); // warm up (and flatten both strings)
  await cpuPerLoad(large, 2);
  let smallMs = Infinity;
  let largeMs = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    smallMs = Math.min(smallMs, await cpuPerLoad(small, 16));
    largeMs = Math.min(largeMs, await cpuPerLoad(large, 4));
  }
  result[shape] = { smallMs, largeMs, ratio: largeMs / smallMs };
}
process.stdout.write(JSON.stringify(result));
