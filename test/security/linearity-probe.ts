/**
 * Measures how the CPU time of `store.load(header)` grows from a 256 kB to a
 * 1 MB header of each hostile shape, with the session cookie at the end.
 * Prints one JSON object: shape → { smallMs, largeMs, ratio }.
 *
 * Run as its own process by headers.test.ts: CPU time (process.cpuUsage) is
 * immune to the scheduler on a busy machine, where wall time of a 10 ms job
 * includes however long other processes held the core, but it counts every
 * thread of the process, so no other test may share it.
 */
import { CookieSessionStore } from '../../src/index';
import { KB, MB, SHAPES } from './header-shapes';
import { issue, SECRET_1 } from './helpers';

const store = new CookieSessionStore({ keys: SECRET_1 });
const { header: session } = await issue(store, { user: 'alice' });

/** Median over 5 rounds of the CPU ms per load, each round `reps` loads. */
async function cpuPerLoad(header: string, reps: number): Promise<number> {
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < reps; i++) {
      const s = await store.load(header);
      if (s.isNew) throw new Error('the session was not found');
    }
    const used = process.cpuUsage(before);
    rounds.push((used.user + used.system) / 1000 / reps);
  }
  return rounds.sort((a, b) => a - b)[2]!;
}

const result: Record<string, { smallMs: number; largeMs: number; ratio: number }> = {};
for (const [shape, build] of Object.entries(SHAPES)) {
  const small = `${build(256 * KB)}; ${session}`;
  const large = `${build(MB)}; ${session}`;
  await cpuPerLoad(large, 2); // warm up
  const smallMs = await cpuPerLoad(small, 16);
  const largeMs = await cpuPerLoad(large, 4);
  result[shape] = { smallMs, largeMs, ratio: largeMs / smallMs };
}
process.stdout.write(JSON.stringify(result));
