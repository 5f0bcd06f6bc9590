/**
 * Measures how the CPU time of one call grows from a 128 kB to a 1 MB header
 * of each hostile shape. Argument `store`: `store.load(header)` with the
 * session cookie at the end (test/security/header-shapes.ts); `scanner`:
 * `findCookieGroup` + `parseCookieHeader` (test/cookie/scan-shapes.ts).
 * Prints one JSON object: shape → { smallMs, largeMs, ratio }.
 *
 * Run as its own process by linearity.ts: CPU time (process.cpuUsage) is
 * immune to the scheduler on a busy machine, where wall time of a 10 ms job
 * includes however long other processes held the core, but it counts every
 * thread of the process, so no other test may share it.
 *
 * Noise on a shared machine only ever adds time (a neighbour thrashing the
 * caches, a GC thread, a frequency dip), so each size keeps its fastest
 * round, and the rounds of both sizes alternate so that a slow stretch of
 * the machine falls on both. A median of a few rounds was not enough: one CI
 * run read 8.0x (from 256 kB to 1 MB) for a shape that measures 3.6-4.4x.
 */
import { findCookieGroup, parseCookieHeader } from '../../src/cookie/parse';
import { CookieSessionStore } from '../../src/index';
import { SCAN_SHAPES } from '../cookie/scan-shapes';
import { KB, MB, SHAPES } from '../security/header-shapes';
import { issue, SECRET_1 } from '../security/helpers';

const ROUNDS = 9;
const ROUND_MS = 20;
const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});

type Call = (header: string) => unknown;

/** The call to time and the headers to time it on, per shape. */
async function suite(name: string | undefined): Promise<{ call: Call; shapes: Record<string, (size: number) => string> }> {
  if (name === 'scanner') {
    return {
      call: (header) => [findCookieGroup(header, 'session', 100), parseCookieHeader(header)],
      shapes: SCAN_SHAPES,
    };
  }
  if (name !== 'store') throw new Error(`usage: linearity-probe.ts store|scanner (got ${name})`);
  const store = new CookieSessionStore({ keys: SECRET_1 });
  const { header: session } = await issue(store, { user: 'alice' });
  const shapes = Object.fromEntries(
    Object.entries(SHAPES).map(([shape, build]) => [shape, (size: number) => `${build(size)}; ${session}`]),
  );
  return {
    call: async (header) => {
      const s = await store.load(header);
      if (s.isNew) throw new Error('the session was not found');
    },
    shapes,
  };
}

/** CPU ms per call over one round of `reps` calls, after a full GC. */
async function cpuPerCall(call: Call, header: string, reps: number): Promise<number> {
  collect();
  const before = process.cpuUsage();
  for (let i = 0; i < reps; i++) await call(header);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / reps;
}

const { call, shapes } = await suite(process.argv[2]);
const result: Record<string, { smallMs: number; largeMs: number; ratio: number }> = {};
for (const [shape, build] of Object.entries(shapes)) {
  const small = build(128 * KB);
  const large = build(MB);
  await cpuPerCall(call, small, 4); // warm up (and flatten both strings)
  // Rounds of about ROUND_MS each, so that cheap shapes (microseconds per
  // call) are not read at the resolution of the CPU clock.
  const largeReps = Math.max(2, Math.ceil(ROUND_MS / (await cpuPerCall(call, large, 2))));
  let smallMs = Infinity;
  let largeMs = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    smallMs = Math.min(smallMs, await cpuPerCall(call, small, largeReps * 8));
    largeMs = Math.min(largeMs, await cpuPerCall(call, large, largeReps));
  }
  result[shape] = { smallMs, largeMs, ratio: largeMs / smallMs };
}
process.stdout.write(JSON.stringify(result));
