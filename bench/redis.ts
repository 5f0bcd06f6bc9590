/**
 * The Redis benchmark (issue 15): RedisSessionStore against express-session +
 * connect-redis, the usual Node.js answer, on the same redis-server, through
 * the same node-redis package, behind Express 5, over HTTP.
 *
 * ```sh
 * npm run bench:redis   # build, `npm ci --prefix bench`, then this file
 * ```
 *
 * - Round trips: the commands the contender sent Redis (MONITOR; a script
 *   call is one round trip, the commands it runs inside are not) per request,
 *   over 200 sequential requests of each kind: read-only, changed, renewed.
 * - HTTP: each contender in its own process (`bench/redis/server.ts`),
 *   autocannon in another (`bench/redis/load.ts`), `REDIS_BENCH_CONNECTIONS`
 *   (50) connections, each with its own session; warmed up 2 s, then
 *   `REDIS_BENCH_ROUNDS` (5) interleaved rounds of `REDIS_BENCH_SECONDS` (4) s
 *   per request kind; the median req/s of the rounds, and its ratio to
 *   express-session's on the same stack (plain node:http, or Express 5).
 *   `REDIS_BENCH_CONTENDERS` picks the contenders (see bench/redis/server.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { startRedisServer } from '../test/helpers/redis';

const ROUNDS = Number(process.env.REDIS_BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.REDIS_BENCH_SECONDS ?? 4);
const CONNECTIONS = Number(process.env.REDIS_BENCH_CONNECTIONS ?? 50);
const CONTENDERS = (process.env.REDIS_BENCH_CONTENDERS?.split(',') ?? ['ours-http', 'express-session-http', 'ours', 'express-session', 'express-floor']) as ReadonlyArray<'ours' | 'ours-http' | 'express-session' | 'express-session-http' | 'express-floor'>;
type Key = (typeof CONTENDERS)[number];
const ROUND_TRIPS_OF: readonly Key[] = CONTENDERS.filter((k) => k !== 'express-floor');
const KINDS = [
  { name: 'read-only', method: 'GET', path: '/read' },
  { name: 'changed', method: 'POST', path: '/inc' },
] as const;

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const redis = await startRedisServer();
const redisCli = (...args: string[]) => spawnSync('redis-cli', ['-p', String(redis.port), ...args], { encoding: 'utf8' }).stdout;

async function start(key: Key): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', here('redis/server.ts'), key, String(redis.port)], { env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  for await (const chunk of child.stdout!) {
    output += String(chunk);
    const match = /PORT (\d+)/.exec(output);
    if (match) return { child, url: `http://127.0.0.1:${match[1]}` };
  }
  throw new Error(`${key} did not start`);
}

async function send(url: string, method: string, path: string, cookie?: string): Promise<{ status: number; cookie: string | undefined }> {
  const res = await fetch(url + path, { method, headers: cookie ? { cookie } : {} });
  await res.text();
  const set = res.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('sid='));
  return { status: res.status, cookie: set };
}

/** Round trips per request of one kind, over `n` sequential requests, Redis's own counters. */
async function perRequest(url: string, method: string, path: string, n: number, key: Key): Promise<number> {
  let cookie = (await send(url, 'POST', '/inc')).cookie!;
  await send(url, method, path, cookie);
  const before = await scriptAware();
  for (let i = 0; i < n; i++) {
    const r = await send(url, method, path, cookie);
    if (r.status !== 200) throw new Error(`${key} ${method} ${path}: ${r.status}`);
    if (r.cookie) cookie = r.cookie;
  }
  return ((await scriptAware()) - before) / n;
}

/** Every command a client sent, as MONITOR shows it (not those a script runs inside, which it marks `[0 lua]`). */
const seen: string[] = [];
const { createClient } = (await import('redis' as string)) as { createClient: (o: { url: string }) => any };
const monitor = createClient({ url: redis.url });
monitor.on('error', () => {});
await monitor.connect();
await monitor.monitor((line: string) => void seen.push(line));

/** Round trips so far: the contenders' commands (an EVALSHA answered NOSCRIPT and the EVAL after it as one), not INFO/CONFIG/ECHO. */
async function scriptAware(): Promise<number> {
  const mark = `mark-${seen.length}-${Math.random()}`;
  redisCli('ECHO', mark);
  while (!seen.some((l) => l.includes(mark))) await new Promise((resolve) => setTimeout(resolve, 2));
  return seen.filter((l) => !/\[\d+ lua\]/.test(l) && !/"(info|config|echo|eval)"/i.test(l) && /^\S+ \[\d+ /.test(l)).length;
}

async function load(url: string, method: string, path: string, cookies: string[], seconds: number): Promise<{ rps: number; bad: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', here('redis/load.ts'), JSON.stringify({ url, method, path, cookies, seconds })], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  for await (const chunk of child.stdout!) out += String(chunk);
  return JSON.parse(out) as { rps: number; bad: number };
}

try {
  console.log(`Redis benchmark: ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), Node ${process.version}, redis-server ${spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout.match(/v=(\S+)/)?.[1]}`);
  // Round trips, one contender at a time (each on a server of its own keyspace prefix; Redis's counters reset between).
  const trips: Record<string, Record<string, number>> = {};
  for (const key of ROUND_TRIPS_OF) {
    const { child, url } = await start(key);
    trips[key] = {};
    for (const [name, method, path] of [['read-only', 'GET', '/read'], ['changed', 'POST', '/inc'], ['renewed', 'POST', '/renew']] as const) {
      trips[key]![name] = await perRequest(url, method, path, 200, key);
    }
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  console.log('\nRedis round trips per request (200 sequential requests each):');
  console.log('| contender | read-only | changed | renewed |\n|---|---|---|---|');
  for (const key of ROUND_TRIPS_OF) console.log(`| ${key} | ${trips[key]!['read-only']!.toFixed(2)} | ${trips[key]!.changed!.toFixed(2)} | ${trips[key]!.renewed!.toFixed(2)} |`);

  // HTTP: all servers up, interleaved rounds.
  const servers = new Map<Key, { child: ChildProcess; url: string; cookies: string[] }>();
  for (const key of CONTENDERS) {
    const s = await start(key);
    const cookies: string[] = [];
    for (let i = 0; i < CONNECTIONS; i++) cookies.push((await send(s.url, 'POST', '/inc')).cookie ?? 'none=1');
    servers.set(key, { ...s, cookies });
  }
  const rps = new Map<string, number[]>();
  for (const kind of KINDS) for (const key of CONTENDERS) await load(servers.get(key)!.url, kind.method, kind.path, servers.get(key)!.cookies, 2);
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of KINDS) {
      const order = round % 2 === 0 ? CONTENDERS : [...CONTENDERS].reverse();
      for (const key of order) {
        const s = servers.get(key)!;
        const r = await load(s.url, kind.method, kind.path, s.cookies, SECONDS);
        if (r.bad > 0) throw new Error(`${key} ${kind.name}: ${r.bad} failed requests`);
        const id = `${key} ${kind.name}`;
        rps.set(id, [...(rps.get(id) ?? []), r.rps]);
      }
    }
  }
  for (const s of servers.values()) s.child.kill('SIGTERM');
  console.log(`\nHTTP, ${CONNECTIONS} connections (one session each), median of ${ROUNDS} interleaved rounds of ${SECONDS} s (req/s; × express-session on the same stack: node:http rows against express-session-http, Express rows against express-session):`);
  console.log('| contender | read-only | changed |\n|---|---|---|');
  for (const key of CONTENDERS) {
    const cells = KINDS.map((kind) => {
      const mine = median(rps.get(`${key} ${kind.name}`)!);
      const base = median(rps.get(`${key.endsWith('-http') ? 'express-session-http' : 'express-session'} ${kind.name}`)!);
      return `${Math.round(mine).toLocaleString('en')} (${(mine / base).toFixed(2)}×)`;
    });
    console.log(`| ${key} | ${cells.join(' | ')} |`);
  }
  for (const [id, xs] of rps) console.log(`  ${id}: ${xs.map((x) => Math.round(x)).join(', ')}`);
} finally {
  await monitor.destroy();
  await redis.stop();
}
