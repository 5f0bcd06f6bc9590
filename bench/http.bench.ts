/**
 * Issue 5, HTTP level: requests per second of a node:http server that reads
 * and writes a session on every request, against the same server sending a
 * static Set-Cookie of the same size (so only the session work differs), and
 * against iron-session 9. Each server runs in its own process; autocannon
 * runs in another, on 127.0.0.1 only.
 *
 * Throughput on a shared VM drifts by ±20% over a minute, so every server is
 * started and warmed up first, then measured in `HTTP_BENCH_ROUNDS` rounds
 * that take the servers in turn; the table gives each server's median and
 * the ratios are of medians.
 *
 * `HTTP_BENCH_SECONDS` (default 5), `HTTP_BENCH_ROUNDS` (default 3) and
 * `HTTP_BENCH_CONNECTIONS` (default 50).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { recordTarget } from './targets';

export const title = 'HTTP requests/second: session read+write per request (autocannon, loopback)';

const SECONDS = Number(process.env.HTTP_BENCH_SECONDS ?? 5);
const ROUNDS = Math.max(1, Number(process.env.HTTP_BENCH_ROUNDS ?? 3));
const CONNECTIONS = Number(process.env.HTTP_BENCH_CONNECTIONS ?? 50);
const serverScript = fileURLToPath(new URL('./http-server.ts', import.meta.url));
const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
}

async function startServer(mode: string, env: Record<string, string> = {}): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverScript, mode], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  for await (const chunk of child.stdout!) {
    output += String(chunk);
    const match = /PORT (\d+)/.exec(output);
    if (match) return { child, url: `http://127.0.0.1:${match[1]}` };
  }
  throw new Error(`${mode} server did not start`);
}

async function stop(server: Server): Promise<void> {
  server.child.kill('SIGTERM');
  if (server.child.exitCode === null) await once(server.child, 'exit');
}

/** The cookie a first request creates, and the Set-Cookie length a request answers with. */
async function prime(url: string): Promise<{ cookie: string; setCookieLength: number }> {
  const first = await fetch(`${url}/init`);
  const cookie = first.headers.getSetCookie().map((c) => c.slice(0, c.indexOf(';'))).join('; ');
  const second = await fetch(`${url}/`, { headers: { cookie } });
  if (second.status !== 200) throw new Error(`${url}: status ${second.status}`);
  const setCookieLength = second.headers.getSetCookie().reduce((n, c) => n + c.length, 0);
  return { cookie, setCookieLength };
}

async function load(url: string, cookie: string, seconds = SECONDS): Promise<{ rps: number; errors: number; non2xx: number }> {
  const args = [autocannonBin, '-c', String(CONNECTIONS), '-d', String(seconds), '-j', '--renderStatusCodes', '-H', `cookie=${cookie}`, `${url}/`];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let json = '';
  child.stdout.on('data', (chunk) => (json += String(chunk)));
  await once(child, 'exit');
  const result = JSON.parse(json) as { requests: { average: number }; errors: number; non2xx: number };
  return { rps: result.requests.average, errors: result.errors, non2xx: result.non2xx };
}

export interface HttpResult {
  readonly name: string;
  /** Median requests/second over the rounds. */
  readonly rps: number;
  /** Every round's requests/second, in order. */
  readonly rounds: readonly number[];
  readonly setCookieLength: number;
  readonly errors: number;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export async function run(): Promise<HttpResult[]> {
  const modes = ['ours', 'ours-cold', 'iron', 'floor', 'static'] as const;
  const servers: Array<Server & { mode: string; cookie: string; setCookieLength: number; rounds: number[]; errors: number }> = [];
  try {
    for (const mode of modes) {
      const oursLength = servers.find((s) => s.mode === 'ours')?.setCookieLength ?? 0;
      const server = await startServer(mode, mode === 'static' ? { SET_COOKIE_LENGTH: String(oursLength) } : {});
      servers.push({ ...server, mode, cookie: '', setCookieLength: 0, rounds: [], errors: 0 });
      Object.assign(servers.at(-1)!, await prime(server.url));
    }
    // Warm up every server (JIT, key caches), then measure them in turn, round after round.
    for (const server of servers) await load(server.url, server.cookie, 3).catch(() => undefined);
    for (let round = 0; round < ROUNDS; round++) {
      for (const server of servers) {
        const { rps, errors, non2xx } = await load(server.url, server.cookie);
        server.rounds.push(rps);
        server.errors += errors + non2xx;
      }
    }
  } finally {
    await Promise.all(servers.map(stop));
  }
  const results: HttpResult[] = servers.map((s) => ({
    name: s.mode,
    rps: median(s.rounds),
    rounds: s.rounds,
    setCookieLength: s.setCookieLength,
    errors: s.errors,
  }));
  const by = (name: string) => results.find((r) => r.name === name)!;
  const label: Record<string, string> = {
    ours: 'sealed-session (read + write per request)',
    'ours-cold': 'sealed-session, token cache off',
    iron: 'iron-session 9 (read + write per request)',
    floor: 'floor: AES-256-GCM + JSON, no library (read + write per request)',
    static: 'bare server, static Set-Cookie of the same size',
  };
  console.log(`${CONNECTIONS} connections; every server warmed up 3 s, then ${ROUNDS} rounds of ${SECONDS} s taking the servers in turn\n`);
  console.log('| server | req/s (median) | rounds | Set-Cookie bytes | errors |\n|---|---:|---|---:|---:|');
  for (const r of results) {
    console.log(`| ${label[r.name]} | ${Math.round(r.rps)} | ${r.rounds.map((x) => Math.round(x)).join(' · ')} | ${r.setCookieLength} | ${r.errors} |`);
  }
  console.log('\n| ratio | measured | target | met |\n|---|---:|---|---|');
  for (const name of ['ours', 'ours-cold'] as const) {
    const vsStatic = by(name).rps / by('static').rps;
    const vsIron = by(name).rps / by('iron').rps;
    console.log(`| ${label[name]} ÷ static server | ${(vsStatic * 100).toFixed(0)}% | ≥ 40% | ${vsStatic >= 0.4 ? 'yes' : 'NO'} |`);
    console.log(`| ${label[name]} ÷ iron-session | ${vsIron.toFixed(1)}x | ≥ 8x | ${vsIron >= 8 ? 'yes' : 'NO'} |`);
    recordTarget({ module: 'http', what: `${label[name]} ÷ static server (req/s)`, measured: `${(vsStatic * 100).toFixed(0)}%`, target: '≥ 40%', met: vsStatic >= 0.4 });
    recordTarget({ module: 'http', what: `${label[name]} ÷ iron-session (req/s)`, measured: `${vsIron.toFixed(1)}x`, target: '≥ 8x', met: vsIron >= 8 });
  }
  // For reading the two above: how far the least possible session work gets on this machine.
  console.log(`| floor ÷ static server (reference) | ${((by('floor').rps / by('static').rps) * 100).toFixed(0)}% | — | — |`);
  console.log(`| ${label.ours} ÷ floor (reference) | ${((by('ours').rps / by('floor').rps) * 100).toFixed(0)}% | — | — |`);
  return results;
}
