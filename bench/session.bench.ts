/**
 * Whole-request cost of the session layer: `store.load(cookieHeader)`, the
 * handler's reads or writes, and `session.commit()`, as an adapter runs them.
 *
 * Scenarios (sequential, one request in flight, no schema unless said):
 * - unchanged: load an existing ~130-byte session and commit (no Set-Cookie);
 * - load + set + commit: the same session, one field changed (one Set-Cookie);
 * - fresh: no cookie, set the ~130-byte state, commit (a new session);
 * - 10 KB chunked: load a 10 KB state (about 13.6 KB sealed, 4 cookies;
 *   maxChunks 4, maxBytes 16384), change a field, commit all chunks again.
 * Each runs on the node:crypto engine (the default in Node) and on WebCrypto.
 *
 * Every scenario is checked once before it is timed (an unchanged commit
 * really writes nothing, a change really writes, the chunked state really
 * reads back), then warmed up, then measured with mitata; the figure is the
 * median µs per request.
 *
 * Run: `node --import tsx -e "import('./bench/session.bench.ts').then((m) => m.run())"`
 * (or through bench/index.ts once it lists this module).
 */
import { isDeepStrictEqual } from 'node:util';
import { measure } from 'mitata';
import { CookieSessionStore } from 'sealed-session';
import type { Json } from 'sealed-session';
import { SECRET, STATE } from './fixtures';

export const title = 'session load / change / commit (src/session), whole requests';



const MEASURE_MS = Number(process.env.BENCH_MS ?? 1000);
const WARMUP_MS = 200;

type Engine = 'node' | 'webcrypto';

interface Scenario {
  readonly name: string;
  /** One whole request; resolves to the Set-Cookie values. */
  readonly run: () => Promise<string[]>;
  /** Throws when a request does not do what the scenario claims. */
  readonly check: () => Promise<void>;
}

export interface Row {
  readonly scenario: string;
  readonly engine: Engine;
  readonly us: number;
  readonly cookies: number;
  readonly cookieBytes: number;
}

/** The Cookie header a browser would send back for these Set-Cookie values. */
function cookieHeader(setCookies: readonly string[]): string {
  return setCookies.map((h) => h.slice(0, h.indexOf(';'))).join('; ');
}

function assert(ok: boolean, message: string): void {
  if (!ok) throw new Error(`bench check failed: ${message}`);
}

async function scenarios(engine: Engine): Promise<Scenario[]> {
  const store = new CookieSessionStore({ keys: SECRET, crypto: engine });
  const big = new CookieSessionStore({ keys: SECRET, crypto: engine, maxChunks: 4, maxBytes: 16384 });

  // An existing small session.
  const seed = await store.load(undefined);
  for (const [k, v] of Object.entries(STATE)) seed.set(k, v);
  const small = cookieHeader(await seed.commit());

  // An existing 10 KB session (4 chunks).
  const blob = 'x'.repeat(10_000);
  const seedBig = await big.load(undefined);
  seedBig.set('blob', blob);
  seedBig.set('n', 0);
  const bigWrites = await seedBig.commit();
  const bigHeader = cookieHeader(bigWrites);

  let counter = 0;
  return [
    {
      name: 'unchanged: load + commit (~130 B)',
      run: async () => {
        const s = await store.load(small);
        s.get('user');
        return s.commit();
      },
      check: async () => {
        const s = await store.load(small);
        assert(s.invalidReason === undefined && isDeepStrictEqual(s.data, STATE), 'the small session loads');
        assert((await s.commit()).length === 0, 'an unchanged commit writes nothing');
      },
    },
    {
      name: 'load + set + commit (~130 B)',
      run: async () => {
        const s = await store.load(small);
        s.set('theme', ++counter % 2 ? 'light' : 'dark');
        return s.commit();
      },
      check: async () => {
        const s = await store.load(small);
        s.set('theme', 'light');
        const out = await s.commit();
        assert(out.length === 1, 'a change writes one cookie');
        assert((await store.load(cookieHeader(out))).get('theme') === 'light', 'the change reads back');
      },
    },
    {
      name: 'fresh: load (no cookie) + set + commit',
      run: async () => {
        const s = await store.load(undefined);
        for (const [k, v] of Object.entries(STATE)) s.set(k, v as Json);
        return s.commit();
      },
      check: async () => {
        const s = await store.load(undefined);
        assert(s.isNew, 'no cookie is a new session');
        for (const [k, v] of Object.entries(STATE)) s.set(k, v as Json);
        const out = await s.commit();
        assert(out.length === 1, 'a new session writes one cookie');
        assert(isDeepStrictEqual((await store.load(cookieHeader(out))).data, STATE), 'the new session reads back');
      },
    },
    {
      name: '10 KB chunked: load + set + commit',
      run: async () => {
        const s = await big.load(bigHeader);
        s.set('n', ++counter);
        return s.commit();
      },
      check: async () => {
        assert(bigWrites.length > 1 && bigWrites.length <= 4, `10 KB spreads over 2 to 4 cookies (got ${bigWrites.length})`);
        const s = await big.load(bigHeader);
        assert(s.invalidReason === undefined && s.get('blob') === blob, 'the chunked session loads');
        s.set('n', 1);
        const out = await s.commit();
        assert(out.length === bigWrites.length, 'a change rewrites every chunk');
        assert((await big.load(cookieHeader(out))).get('n') === 1, 'the chunked change reads back');
      },
    },
  ];
}

async function medianUs(fn: () => Promise<unknown>): Promise<number> {
  const end = performance.now() + WARMUP_MS;
  while (performance.now() < end) await fn();
  const stats = await measure(fn, { min_cpu_time: MEASURE_MS * 1e6 });
  return stats.p50 / 1000;
}

const fmt = (us: number) => (us >= 100 ? us.toFixed(0) : us.toFixed(1));

export function formatTable(rows: readonly Row[]): string {
  const engines: Engine[] = ['node', 'webcrypto'];
  const names = [...new Set(rows.map((r) => r.scenario))];
  const lines = ['| request | Set-Cookie | cookie octets | node µs/op | webcrypto µs/op |', '|---|---:|---:|---:|---:|'];
  for (const name of names) {
    const cells = engines.map((e) => rows.find((r) => r.scenario === name && r.engine === e));
    const any = cells.find((c) => c !== undefined);
    lines.push(`| ${name} | ${any?.cookies ?? ''} | ${any?.cookieBytes ?? ''} | ${cells.map((c) => (c ? fmt(c.us) : '')).join(' | ')} |`);
  }
  return lines.join('\n');
}

export async function run(): Promise<Row[]> {
  console.log(`state: ${JSON.stringify(STATE).length} bytes of JSON (and 10 KB for the chunked row); median of mitata samples, ${MEASURE_MS} ms per row\n`);
  const rows: Row[] = [];
  for (const engine of ['node', 'webcrypto'] as const) {
    for (const s of await scenarios(engine)) {
      await s.check();
      const sample = await s.run();
      const us = await medianUs(s.run);
      rows.push({ scenario: s.name, engine, us, cookies: sample.length, cookieBytes: cookieHeader(sample).length });
    }
  }
  console.log(formatTable(rows));
  return rows;
}
