/**
 * The peer benchmark (issue 18): sealed-session against the cookie-session
 * libraries users compare it with, at micro level and over HTTP, plus the
 * bytes each one puts in a cookie for the same ~130-byte state.
 *
 * ```sh
 * npm run bench:peers        # build, `npm ci --prefix bench`, then this file
 * ```
 *
 * - Contenders: `bench/peers/contenders.ts` (what each one runs, and how).
 *   Each is checked first: the cookie its write path produced is read back,
 *   a round trip on it writes a new cookie, and that one reads back too.
 * - Micro: every contender's round trip (read, `count += 1`, Set-Cookie) and
 *   read only, called on prebuilt `IncomingMessage`/`ServerResponse` pairs
 *   (built outside the clock); `PEERS_ROUNDS` interleaved rounds (default 7)
 *   of about `PEERS_ROUND_MS` (default 200) each, the median µs per call,
 *   and the ratio contender ÷ sealed-session with the token cache off (< 1:
 *   faster than ours).
 * - HTTP: each contender in its own node:http process (`bench/peers/server.ts`),
 *   autocannon in another, 127.0.0.1, `HTTP_BENCH_CONNECTIONS` (50)
 *   connections, warmed up 3 s, then `HTTP_BENCH_ROUNDS` (3) interleaved
 *   rounds of `HTTP_BENCH_SECONDS` (5) s; medians. `PEERS_HTTP` lists the
 *   contenders (comma-separated keys) or `none`.
 * - `PEERS` limits both levels to the keys given.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { STATE } from './fixtures';
import { FACTORIES, nodePair, requestCookieOf, setCookiesOf, type Contender } from './peers/contenders';

const ROUNDS = Number(process.env.PEERS_ROUNDS ?? 7);
const ROUND_MS = Number(process.env.PEERS_ROUND_MS ?? 200);
const HTTP_SECONDS = Number(process.env.HTTP_BENCH_SECONDS ?? 5);
const HTTP_ROUNDS = Math.max(1, Number(process.env.HTTP_BENCH_ROUNDS ?? 3));
const CONNECTIONS = Number(process.env.HTTP_BENCH_CONNECTIONS ?? 50);
const ONLY = process.env.PEERS?.split(',').filter(Boolean);
const HTTP_KEYS = (process.env.PEERS_HTTP ?? 'ours-cold,ours,ours-manual,fastify,floor,keygrip,cookie-session,iron-session')
  .split(',')
  .filter((k) => k && k !== 'none' && (!ONLY || ONLY.includes(k)));
const BASE = 'ours-cold';

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fmt = (us: number) => (us >= 100 ? us.toFixed(0) : us.toFixed(1));
const ratio = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(2));

/** The cookie a contender wrote reads back, and a round trip on it writes one that reads back too. */
async function check(c: Contender): Promise<{ setCookieBytes: number; cookieBytes: number }> {
  const [req0, res0] = nodePair(c.cookie);
  if (!isDeepStrictEqual(await c.read(req0, res0), STATE.user)) throw new Error(`${c.key}: its cookie does not read back`);
  const [req, res] = nodePair(c.cookie);
  await c.roundTrip(req, res);
  const setCookie = setCookiesOf(res);
  const back = requestCookieOf(setCookie);
  if (setCookie.length === 0 || back === c.cookie) throw new Error(`${c.key}: a round trip wrote no new cookie`);
  const [req2, res2] = nodePair(back);
  if (!isDeepStrictEqual(await c.read(req2, res2), STATE.user)) throw new Error(`${c.key}: the cookie a round trip wrote does not read back`);
  // Set-Cookie bytes as on the wire: each header's value (`name=value; attributes`).
  return { setCookieBytes: setCookie.reduce((n, h) => n + h.length, 0), cookieBytes: back.length };
}

type Op = 'roundTrip' | 'read';

/** Calls per timed batch, so that one batch takes a few ms whatever the contender's speed. */
async function batchSize(c: Contender, op: Op): Promise<number> {
  const pairs = Array.from({ length: 8 }, () => nodePair(c.cookie));
  const t0 = performance.now();
  for (const [req, res] of pairs) await c[op](req, res);
  const perCallMs = (performance.now() - t0) / 8;
  return Math.max(1, Math.min(256, Math.round(5 / perCallMs)));
}

/** CPU time of this process (every thread: the collector's helpers too), in µs. */
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/**
 * One round: batches of prebuilt pairs until about ROUND_MS of measured wall
 * time; µs per call, as CPU time (what the figures report: on a shared
 * machine a process that is descheduled loses wall time, not CPU time) and
 * as wall time.
 */
async function round(c: Contender, op: Op, batch: number): Promise<{ cpu: number; wall: number }> {
  let wall = 0;
  let cpu = 0;
  let calls = 0;
  while (wall < ROUND_MS) {
    const pairs = Array.from({ length: batch }, () => nodePair(c.cookie));
    const c0 = cpuNow();
    const t0 = performance.now();
    for (const [req, res] of pairs) await c[op](req, res);
    wall += performance.now() - t0;
    cpu += cpuNow() - c0;
    calls += batch;
  }
  return { cpu: cpu / calls, wall: (wall * 1000) / calls };
}

interface Row {
  readonly c: Contender;
  readonly setCookieBytes: number;
  readonly cookieBytes: number;
  /** CPU µs per call, one per round. */
  readonly roundTrip: number[];
  readonly read: number[];
  /** Wall µs per call, one per round. */
  readonly wall: Record<Op, number[]>;
  readonly batch: Record<Op, number>;
  rps: number[];
  /** Server CPU µs per request, one per HTTP round. */
  serverCpu: number[];
}

async function micro(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [key, make] of FACTORIES) {
    if (ONLY && !ONLY.includes(key)) continue;
    const c = await make();
    const bytes = await check(c);
    rows.push({ c, ...bytes, roundTrip: [], read: [], wall: { roundTrip: [], read: [] }, batch: { roundTrip: 1, read: 1 }, rps: [], serverCpu: [] });
  }
  for (const row of rows) {
    for (const op of ['roundTrip', 'read'] as const) {
      row.batch[op] = await batchSize(row.c, op);
      await round(row.c, op, row.batch[op]); // warm-up
    }
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const row of rows) {
      for (const op of ['roundTrip', 'read'] as const) {
        const { cpu, wall } = await round(row.c, op, row.batch[op]);
        row[op].push(cpu);
        row.wall[op].push(wall);
      }
    }
  }
  return rows;
}

// ---------------------------------------------------------------- HTTP
const serverScript = fileURLToPath(new URL('./peers/server.ts', import.meta.url));
const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

async function startServer(key: string): Promise<{ child: ChildProcess; url: string; cookie: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverScript, key], { env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  for await (const chunk of child.stdout!) {
    output += String(chunk);
    const match = /PORT (\d+) COOKIE (.*)\n/.exec(output);
    if (match) return { child, url: `http://127.0.0.1:${match[1]}`, cookie: match[2]! };
  }
  throw new Error(`${key} server did not start`);
}

/** utime + stime of a process, in µs (from /proc; undefined elsewhere). */
function processCpu(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
/** USER_HZ: 100 on Linux x86 and arm. */
const CLOCK_TICKS = 100;

async function load(url: string, cookie: string, seconds: number): Promise<{ rps: number; bad: number; total: number }> {
  const args = [autocannonBin, '-c', String(CONNECTIONS), '-d', String(seconds), '-j', '-H', `cookie=${cookie}`, `${url}/`];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let json = '';
  child.stdout!.on('data', (chunk) => (json += String(chunk)));
  await once(child, 'exit');
  const result = JSON.parse(json) as { requests: { average: number; total: number }; errors: number; non2xx: number };
  return { rps: result.requests.average, bad: result.errors + result.non2xx, total: result.requests.total };
}

async function http(rows: Row[]): Promise<void> {
  const servers: Array<{ row: Row; child: ChildProcess; url: string; cookie: string }> = [];
  try {
    for (const key of HTTP_KEYS) {
      const row = rows.find((r) => r.c.key === key);
      if (!row) continue;
      const server = await startServer(key);
      const check = await fetch(`${server.url}/`, { headers: { cookie: server.cookie } });
      if (check.status !== 200 || check.headers.getSetCookie().length === 0) throw new Error(`${key} server: status ${check.status}, no Set-Cookie`);
      servers.push({ row, ...server });
    }
    for (const s of servers) await load(s.url, s.cookie, 3);
    for (let r = 0; r < HTTP_ROUNDS; r++) {
      for (const s of servers) {
        const before = processCpu(s.child.pid);
        const { rps, bad, total } = await load(s.url, s.cookie, HTTP_SECONDS);
        const after = processCpu(s.child.pid);
        if (bad > 0) throw new Error(`${s.row.c.key} server: ${bad} errors or non-2xx answers`);
        s.row.rps.push(rps);
        if (before !== undefined && after !== undefined && total > 0) s.row.serverCpu.push((after - before) / total);
      }
    }
  } finally {
    for (const s of servers) {
      s.child.kill('SIGTERM');
      if (s.child.exitCode === null) await once(s.child, 'exit');
    }
  }
}

// ---------------------------------------------------------------- report
async function main(): Promise<void> {
  console.log(`node ${process.version} · ${os.platform()} ${os.arch()} · ${os.availableParallelism()} CPUs · ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}`);
  console.log(`state: ${JSON.stringify(STATE).length} bytes of JSON; micro: ${ROUNDS} interleaved rounds of ~${ROUND_MS} ms; HTTP: ${HTTP_ROUNDS} rounds of ${HTTP_SECONDS} s, ${CONNECTIONS} connections\n`);
  const rows = await micro();
  if (HTTP_KEYS.length > 0) await http(rows);
  const base = rows.find((r) => r.c.key === BASE);
  const baseRt = base ? median(base.roundTrip) : NaN;
  const baseRead = base ? median(base.read) : NaN;
  const baseRps = base && base.rps.length ? median(base.rps) : NaN;
  const baseCpu = base && base.serverCpu.length ? median(base.serverCpu) : NaN;
  const dash = (x: number, f: (x: number) => string) => (Number.isNaN(x) ? '—' : f(x));
  console.log('| contender | version | round trip µs | ÷ ours | read only µs | ÷ ours | HTTP req/s | ÷ ours | server µs/req | ÷ ours | request Cookie B | Set-Cookie B |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) {
    const rt = median(row.roundTrip);
    const rd = median(row.read);
    const rps = row.rps.length ? median(row.rps) : NaN;
    const cpu = row.serverCpu.length ? median(row.serverCpu) : NaN;
    console.log(
      `| ${row.c.name} | ${row.c.version} | ${fmt(rt)} | ${ratio(rt / baseRt)} | ${fmt(rd)} | ${ratio(rd / baseRead)} | ${dash(rps, (x) => String(Math.round(x)))} | ${dash(rps / baseRps, ratio)} | ${dash(cpu, fmt)} | ${dash(cpu / baseCpu, ratio)} | ${row.cookieBytes} | ${row.setCookieBytes} |`,
    );
  }
  console.log(`\n"÷ ours": the contender's figure divided by "${base?.c.name ?? BASE}" from the same run (µs: < 1 is cheaper than ours; req/s: > 1 is faster).`);
  console.log('Micro µs are CPU time of the benchmark process per call (median of the rounds); "server µs/req" is the server process\'s CPU time (user + system, from /proc) per request served, median of the HTTP rounds.');
  console.log('\nRounds (CPU µs, round trip | read only; wall µs, round trip | read only; req/s; server µs/req):');
  for (const row of rows) {
    console.log(
      `- ${row.c.key}: ${row.roundTrip.map(fmt).join(' ')} | ${row.read.map(fmt).join(' ')}; wall ${row.wall.roundTrip.map(fmt).join(' ')} | ${row.wall.read.map(fmt).join(' ')}${row.rps.length ? `; ${row.rps.map((x) => Math.round(x)).join(' ')}; ${row.serverCpu.map(fmt).join(' ')}` : ''}`,
    );
  }
  console.log('\nHow each contender is driven:');
  for (const row of rows) console.log(`- ${row.c.name}: ${row.c.how}`);
}

await main();
