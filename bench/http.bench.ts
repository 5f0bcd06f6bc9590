/**
 * Issue 5, HTTP level: requests per second of a node:http server that reads
 * and writes a session on every request, against the same server sending a
 * static Set-Cookie of the same size (so only the session work differs), and
 * against iron-session 9. Each server runs in its own process; autocannon
 * runs in another, on 127.0.0.1 only.
 *
 * `HTTP_BENCH_SECONDS` (default 8) and `HTTP_BENCH_CONNECTIONS` (default 50).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const title = 'HTTP requests/second: session read+write per request (autocannon, loopback)';

const SECONDS = Number(process.env.HTTP_BENCH_SECONDS ?? 8);
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

async function load(url: string, cookie: string): Promise<{ rps: number; errors: number; non2xx: number }> {
  const args = [autocannonBin, '-c', String(CONNECTIONS), '-d', String(SECONDS), '-j', '--renderStatusCodes', '-H', `cookie=${cookie}`, `${url}/`];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let json = '';
  child.stdout.on('data', (chunk) => (json += String(chunk)));
  await once(child, 'exit');
  const result = JSON.parse(json) as { requests: { average: number }; errors: number; non2xx: number };
  return { rps: result.requests.average, errors: result.errors, non2xx: result.non2xx };
}

export interface HttpResult {
  readonly name: string;
  readonly rps: number;
  readonly setCookieLength: number;
  readonly errors: number;
}

export async function run(): Promise<HttpResult[]> {
  const results: HttpResult[] = [];
  let oursLength = 0;
  for (const mode of ['ours', 'ours-cold', 'iron', 'floor', 'static'] as const) {
    const server = await startServer(mode, mode === 'static' ? { SET_COOKIE_LENGTH: String(oursLength) } : {});
    try {
      const { cookie, setCookieLength } = await prime(server.url);
      if (mode === 'ours') oursLength = setCookieLength;
      // Warm up (JIT, key caches), then measure.
      await load(server.url, cookie).catch(() => undefined);
      const { rps, errors, non2xx } = await load(server.url, cookie);
      results.push({ name: mode, rps, setCookieLength, errors: errors + non2xx });
    } finally {
      await stop(server);
    }
  }
  const by = (name: string) => results.find((r) => r.name === name)!;
  const label: Record<string, string> = {
    ours: 'sealed-session (read + write per request)',
    'ours-cold': 'sealed-session, token cache off',
    iron: 'iron-session 9 (read + write per request)',
    floor: 'floor: AES-256-GCM + JSON, no library (read + write per request)',
    static: 'bare server, static Set-Cookie of the same size',
  };
  console.log(`${CONNECTIONS} connections, ${SECONDS} s each, after a warm-up run of the same length\n`);
  console.log('| server | req/s | Set-Cookie bytes | errors |\n|---|---:|---:|---:|');
  for (const r of results) console.log(`| ${label[r.name]} | ${Math.round(r.rps)} | ${r.setCookieLength} | ${r.errors} |`);
  console.log('\n| ratio | measured | target | met |\n|---|---:|---|---|');
  for (const name of ['ours', 'ours-cold'] as const) {
    const vsStatic = by(name).rps / by('static').rps;
    const vsIron = by(name).rps / by('iron').rps;
    console.log(`| ${label[name]} ÷ static server | ${(vsStatic * 100).toFixed(0)}% | ≥ 40% | ${vsStatic >= 0.4 ? 'yes' : 'NO'} |`);
    console.log(`| ${label[name]} ÷ iron-session | ${vsIron.toFixed(1)}x | ≥ 8x | ${vsIron >= 8 ? 'yes' : 'NO'} |`);
  }
  // For reading the two above: how far the least possible session work gets on this machine.
  console.log(`| floor ÷ static server (reference) | ${((by('floor').rps / by('static').rps) * 100).toFixed(0)}% | — | — |`);
  console.log(`| ${label.ours} ÷ floor (reference) | ${((by('ours').rps / by('floor').rps) * 100).toFixed(0)}% | — | — |`);
  return results;
}
