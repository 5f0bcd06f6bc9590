/**
 * Seal / unseal throughput against the libraries users compare us with.
 *
 * Sequential, one operation in flight, a ~130-byte JSON state. Each contender
 * is warmed up, checked to really round-trip (iron-session swallows unseal
 * errors and returns `{}`, so an unchecked failure would look fast), then
 * measured with mitata; the figure is the median µs per operation.
 *
 * Run through the runner: `npm run bench` (or `node --import tsx bench/index.ts seal`).
 */
import { isDeepStrictEqual } from 'node:util';
import * as iron from 'iron-webcrypto';
import * as ironSession from 'iron-session';
import { measure } from 'mitata';
import { createKeyRing, sealData, unsealData } from 'sealed-session';
import { STATE } from './fixtures';
import { recordTarget } from './targets';

export const title = 'seal / unseal (src/seal) vs iron-webcrypto 2.0.0 and iron-session 9';

const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const RAW_KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 255);


/** Time spent measuring each operation (mitata's min_cpu_time), and the warm-up before it. */
const MEASURE_MS = Number(process.env.BENCH_MS ?? 1500);
const WARMUP_MS = 250;

interface Contender {
  readonly name: string;
  /** Seal STATE; returns the token. */
  readonly seal: () => Promise<string>;
  /** Unseal a token this contender made. */
  readonly unseal: (token: string) => Promise<unknown>;
}

export interface Row {
  readonly name: string;
  readonly sealUs: number;
  readonly unsealUs: number;
  readonly tokenLength: number;
}

function contenders(): Contender[] {
  const nodeRing = createKeyRing(SECRET, { crypto: 'node', tokenCache: 0 });
  const webRing = createKeyRing(SECRET, { crypto: 'webcrypto', tokenCache: 0 });
  const ironOpts = { ...iron.defaults, ttl: 14 * 86_400_000 };
  return [
    {
      name: 'sealed-session, node engine',
      seal: () => sealData(STATE, { keys: nodeRing, ttl: 14 * 86_400 }),
      unseal: (t) => unsealData(t, { keys: nodeRing }),
    },
    {
      name: 'sealed-session, webcrypto engine',
      seal: () => sealData(STATE, { keys: webRing, ttl: 14 * 86_400 }),
      unseal: (t) => unsealData(t, { keys: webRing }),
    },
    {
      name: 'iron-webcrypto, string password',
      seal: () => iron.seal(STATE, SECRET, ironOpts),
      unseal: (t) => iron.unseal(t, SECRET, ironOpts),
    },
    {
      name: 'iron-webcrypto, 32-byte Uint8Array',
      seal: () => iron.seal(STATE, RAW_KEY, ironOpts),
      unseal: (t) => iron.unseal(t, RAW_KEY, ironOpts),
    },
    {
      name: 'iron-session 9 sealData/unsealData',
      seal: () => ironSession.sealData(STATE, { password: SECRET, ttl: 14 * 86_400 }),
      unseal: (t) => ironSession.unsealData(t, { password: SECRET, ttl: 14 * 86_400 }),
    },
  ];
}

async function warmUp(fn: () => Promise<unknown>): Promise<void> {
  const end = performance.now() + WARMUP_MS;
  while (performance.now() < end) await fn();
}

/** Median µs per call, one call in flight. */
async function medianUs(fn: () => Promise<unknown>): Promise<number> {
  await warmUp(fn);
  const stats = await measure(fn, { min_cpu_time: MEASURE_MS * 1e6 });
  return stats.p50 / 1000;
}

async function measureContender(c: Contender): Promise<Row> {
  const token = await c.seal();
  const back = await c.unseal(token);
  const envelope = back as { d?: unknown };
  // Ours returns the data; iron-webcrypto returns what it sealed (STATE too).
  if (!isDeepStrictEqual(back, STATE) && !isDeepStrictEqual(envelope.d, STATE)) {
    throw new Error(`${c.name}: the round trip does not give the state back`);
  }
  const sealUs = await medianUs(c.seal);
  const unsealUs = await medianUs(() => c.unseal(token));
  return { name: c.name, sealUs, unsealUs, tokenLength: token.length };
}

const fmt = (us: number) => (us >= 100 ? us.toFixed(0) : us.toFixed(1));
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}x`;

export function formatTable(rows: readonly Row[]): string {
  const baseline = rows.find((r) => r.name.startsWith('iron-webcrypto, string'));
  const lines = [
    '| contender | seal µs/op | unseal µs/op | token chars | iron-webcrypto (string) ÷ this, seal | … unseal |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const vs = baseline ? [ratio(baseline.sealUs, r.sealUs), ratio(baseline.unsealUs, r.unsealUs)] : ['', ''];
    lines.push(`| ${r.name} | ${fmt(r.sealUs)} | ${fmt(r.unsealUs)} | ${r.tokenLength} | ${vs[0]} | ${vs[1]} |`);
  }
  return lines.join('\n');
}

/** Targets from the issue: node engine ≥ 20x iron-webcrypto (string password), webcrypto engine ≥ 3x. */
export function checkTargets(rows: readonly Row[]): string[] {
  const find = (prefix: string) => rows.find((r) => r.name.startsWith(prefix));
  const base = find('iron-webcrypto, string');
  const out: string[] = [];
  for (const [prefix, target] of [
    ['sealed-session, node', 20],
    ['sealed-session, webcrypto', 3],
  ] as const) {
    const r = find(prefix);
    if (!base || !r) continue;
    for (const op of ['seal', 'unseal'] as const) {
      const x = base[`${op}Us`] / r[`${op}Us`];
      out.push(`${x >= target ? 'PASS' : 'MISS'} ${prefix} engine ${op}: ${x.toFixed(1)}x faster than iron-webcrypto (target ≥ ${target}x)`);
      recordTarget({ module: 'seal', what: `${prefix} engine ${op}: iron-webcrypto ÷ ours`, measured: `${x.toFixed(1)}x`, target: `≥ ${target}x`, met: x >= target });
    }
  }
  return out;
}

export async function run(): Promise<Row[]> {
  console.log(`state: ${JSON.stringify(STATE).length} bytes of JSON; median of mitata samples, ${MEASURE_MS} ms per operation\n`);
  const rows: Row[] = [];
  for (const c of contenders()) rows.push(await measureContender(c));
  console.log(formatTable(rows));
  console.log();
  for (const line of checkTargets(rows)) console.log(line);
  return rows;
}
