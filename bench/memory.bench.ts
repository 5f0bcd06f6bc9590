/**
 * Issue 5, memory: a flood of distinct, valid-looking but foreign session
 * cookies (right shape, random salts, wrong MAC) must not grow the key
 * caches — forged salts never enter them — nor the process. Then a steady
 * workload of real sessions must not grow either.
 *
 * `MEMORY_FLOOD` (default 1,000,000) cookies; `MEMORY_STEADY_SECONDS` (default 10).
 */
import { randomBytes } from 'node:crypto';
import { CookieSessionStore } from 'sealed-session';
import { recordTarget } from './targets';

export const title = 'memory: a flood of foreign cookies, then a steady workload';

const FLOOD = Number(process.env.MEMORY_FLOOD ?? 1_000_000);
const STEADY_SECONDS = Number(process.env.MEMORY_STEADY_SECONDS ?? 10);
const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

function settle(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** A forged token with fresh random salts, iv, ciphertext and digest: it fails only at the MAC. */
function forgery(pool: Buffer, i: number): string {
  const at = (i * 211) % (pool.length - 200);
  const hex = (offset: number) => pool.toString('hex', at + offset, at + offset + 32);
  const b64 = (offset: number, length: number) => pool.toString('base64url', at + offset, at + offset + length);
  return `session=Fe26.2*1*${hex(0)}*${b64(32, 16)}*${b64(48, 96)}**${hex(144)}*${b64(160, 32)}`;
}

export async function run(): Promise<{ floodGrowthMb: number; steadyGrowthPct: number }> {
  const store = new CookieSessionStore({ keys: SECRET });
  // Internals (stripped from the published types): the ring's sealing key and its derived-key caches.
  const key = (store as unknown as { options: { ring: { current: { cacheSize: number } } } }).options.ring.current;

  // A real session first, so the caches hold what legitimate traffic puts there.
  const first = await store.load(undefined);
  first.set('user', 'ada');
  const cookie = (await first.commit())[0]!.split(';')[0]!;
  await store.load(cookie);
  const cacheBefore = key.cacheSize;

  const pool = randomBytes(1 << 20);
  // Warm up on 10,000 forgeries (JIT, young generation) so that growth measures the flood, not start-up.
  for (let i = 0; i < 10_000; i++) await store.load(forgery(pool, FLOOD + i));
  settle();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  const reasons = new Map<string, number>();
  const t0 = performance.now();
  for (let i = 0; i < FLOOD; i++) {
    const session = await store.load(forgery(pool, i));
    reasons.set(session.invalidReason ?? 'none', (reasons.get(session.invalidReason ?? 'none') ?? 0) + 1);
  }
  const floodSeconds = (performance.now() - t0) / 1000;
  settle();
  const rssAfterFlood = process.memoryUsage().rss;
  const heapAfterFlood = process.memoryUsage().heapUsed;
  const floodGrowthMb = (rssAfterFlood - rssBefore) / 1024 / 1024;

  // Steady workload: read, change, commit, with the browser's cookie carried forward.
  let current = cookie;
  const samples: number[] = [];
  const end = performance.now() + STEADY_SECONDS * 1000;
  let nextSample = performance.now();
  let requests = 0;
  while (performance.now() < end) {
    const session = await store.load(current);
    session.set('n', requests++);
    current = (await session.commit())[0]!.split(';')[0]!;
    if (performance.now() >= nextSample) {
      samples.push(process.memoryUsage().rss);
      nextSample += 500;
    }
  }
  const third = Math.max(1, Math.floor(samples.length / 3));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const early = mean(samples.slice(0, third));
  const late = mean(samples.slice(-third));
  const steadyGrowthPct = ((late - early) / early) * 100;

  console.log('| measure | value | target |\n|---|---:|---|');
  console.log(`| foreign cookies loaded | ${FLOOD.toLocaleString('en')} in ${floodSeconds.toFixed(1)} s | |`);
  console.log(`| reasons | ${[...reasons].map(([r, n]) => `${r}: ${n}`).join(', ')} | all refused |`);
  console.log(`| key cache entries before / after the flood | ${cacheBefore} / ${key.cacheSize} | unchanged |`);
  console.log(`| RSS before / after the flood | ${mb(rssBefore)} / ${mb(rssAfterFlood)} MB (${floodGrowthMb >= 0 ? '+' : ''}${floodGrowthMb.toFixed(1)} MB) | growth < 50 MB |`);
  console.log(`| JS heap in use before / after the flood (after GC) | ${mb(heapBefore)} / ${mb(heapAfterFlood)} MB | flat |`);
  console.log(`| steady workload | ${requests.toLocaleString('en')} round trips in ${STEADY_SECONDS} s | |`);
  console.log(`| RSS, first vs last third of the steady run | ${mb(early)} → ${mb(late)} MB (${steadyGrowthPct >= 0 ? '+' : ''}${steadyGrowthPct.toFixed(1)}%) | flat |`);
  const ok = key.cacheSize === cacheBefore && floodGrowthMb < 50 && (reasons.get('tampered') ?? 0) === FLOOD;
  console.log(`\nflood targets met: ${ok ? 'yes' : 'NO'}`);
  const signed = (x: number, unit: string) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}${unit}`;
  recordTarget({ module: 'memory', what: '1,000,000 foreign cookies: all refused, key caches unchanged', measured: `${reasons.get('tampered') ?? 0} refused, ${cacheBefore} → ${key.cacheSize} entries`, target: 'all, unchanged', met: key.cacheSize === cacheBefore && (reasons.get('tampered') ?? 0) === FLOOD });
  recordTarget({ module: 'memory', what: 'RSS growth over the flood', measured: signed(floodGrowthMb, ' MB'), target: '< 50 MB', met: floodGrowthMb < 50 });
  recordTarget({ module: 'memory', what: 'RSS growth over the steady run (first vs last third)', measured: signed(steadyGrowthPct, '%'), target: '≤ +10%', met: steadyGrowthPct <= 10 });
  return { floodGrowthMb, steadyGrowthPct };
}
