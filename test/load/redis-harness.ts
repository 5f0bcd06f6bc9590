/**
 * The Redis load test, shared by redis.test.ts (CI, a few seconds) and
 * redis-soak.ts (`npm run soak:redis`, 60 s): several app server processes
 * (redis-server-process.ts, half on node-redis, half on ioredis) sharing one
 * real redis-server, and many virtual browsers, each with its own cookie
 * jar, spreading their requests over every server. Half the time a browser
 * fires two increments at once at two servers (two tabs): the same session
 * changed concurrently, the lost-update case. Each browser counts the
 * increments acknowledged (200) and checks every page it reads, and once
 * more after the run, against that count.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { startRedisServer } from '../helpers/redis';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RedisLoadOptions {
  readonly seconds: number;
  readonly clients: number;
  readonly servers: number;
}

export interface RedisLoadReport {
  readonly options: RedisLoadOptions;
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** Increments acknowledged, and the retries the servers made on ERR_STORE_CONFLICT to land them. */
  readonly increments: number;
  readonly conflictRetries: number;
  /** 409s (a conflict that kept failing; not acknowledged, so not lost). */
  readonly gaveUp: number;
  /** Network errors, 5xx. */
  readonly errors: number;
  /** Pages whose count differed from the browser's acknowledged increments. */
  readonly mismatches: number;
  /** Browsers whose final count differs from their acknowledged increments. */
  readonly lostUpdates: number;
  readonly samples: readonly string[];
}

interface Browser {
  cookie: string;
  acked: number;
}

function request(agent: http.Agent, port: number, method: string, browser: Browser): Promise<{ status: number; body: { count?: number; retries?: number } }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: method === 'POST' ? '/inc' : '/', agent, headers: browser.cookie ? { cookie: browser.cookie } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const set = res.headers['set-cookie'];
        const sid = set?.map((c) => c.split(';')[0]!).find((c) => c.startsWith('sid='));
        if (sid !== undefined) browser.cookie = sid.endsWith('=') ? '' : sid;
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { count?: number; retries?: number } });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export async function runRedisLoad(options: RedisLoadOptions): Promise<RedisLoadReport> {
  const redisServer = await startRedisServer();
  const children: ChildProcess[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  try {
    const ports = await Promise.all(
      Array.from({ length: options.servers }, async (_, i) => {
        const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('redis-server-process.ts', import.meta.url))], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        const port = new Promise<number>((resolve, reject) => {
          child.once('message', (m: { port: number }) => resolve(m.port));
          child.once('exit', (code) => reject(new Error(`server ${i} exited (${String(code)})`)));
        });
        child.send({ redisPort: redisServer.port, client: i % 2 === 0 ? 'node-redis' : 'ioredis' });
        return port;
      }),
    );
    const samples: string[] = [];
    const note = (s: string) => void (samples.length < 10 && samples.push(s));
    let requests = 0;
    let errors = 0;
    let gaveUp = 0;
    let conflictRetries = 0;
    let mismatches = 0;
    const call = async (port: number, method: string, browser: Browser) => {
      requests++;
      try {
        const r = await request(agent, port, method, browser);
        if (r.status >= 500) {
          errors++;
          note(`${method} answered ${r.status} ${JSON.stringify(r.body)}`);
        }
        return r;
      } catch (err) {
        errors++;
        note(`${method} failed: ${String(err)}`);
        return undefined;
      }
    };
    const increment = async (port: number, browser: Browser) => {
      const r = await call(port, 'POST', browser);
      if (r?.status === 200) {
        browser.acked++;
        conflictRetries += r.body.retries ?? 0;
      } else if (r?.status === 409) gaveUp++;
    };
    const browsers: Browser[] = Array.from({ length: options.clients }, () => ({ cookie: '', acked: 0 }));
    const portOf = (i: number) => ports[i % ports.length]!;
    // Each browser's first increment creates its session (one at a time: there is no cookie to share yet).
    await Promise.all(browsers.map((b, i) => increment(portOf(i), b)));
    const started = Date.now();
    const deadline = started + options.seconds * 1000;
    requests = 0;
    await Promise.all(
      browsers.map(async (b, i) => {
        for (let turn = i; Date.now() < deadline; turn++) {
          if (turn % 2 === 0) await Promise.all([increment(portOf(turn), b), increment(portOf(turn + 1), b)]);
          else await increment(portOf(turn), b);
          const page = await call(portOf(turn + 2), 'GET', b);
          if (page?.status === 200 && page.body.count !== b.acked) {
            mismatches++;
            note(`a page showed ${String(page.body.count)} after ${b.acked} acknowledged increments`);
          }
        }
      }),
    );
    const elapsed = (Date.now() - started) / 1000;
    const counted = requests;
    let lostUpdates = 0;
    for (const [i, b] of browsers.entries()) {
      const r = await request(agent, portOf(i), 'GET', b);
      if (r.body.count !== b.acked) {
        lostUpdates++;
        note(`final count ${String(r.body.count)} after ${b.acked} acknowledged increments`);
      }
    }
    return {
      options,
      requests: counted,
      requestsPerSecond: counted / elapsed,
      increments: browsers.reduce((a, b) => a + b.acked, 0),
      conflictRetries,
      gaveUp,
      errors,
      mismatches,
      lostUpdates,
      samples,
    };
  } finally {
    agent.destroy();
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        if (child.connected) child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    }
    await redisServer.stop();
  }
}

/** What must hold; each entry is a failure. */
export function redisLoadProblems(r: RedisLoadReport): string[] {
  const out: string[] = [];
  if (r.errors) out.push(`${r.errors} errors`);
  if (r.mismatches) out.push(`${r.mismatches} pages showed a wrong count`);
  if (r.lostUpdates) out.push(`${r.lostUpdates} browsers lost updates`);
  if (r.increments < r.options.clients * 2) out.push(`only ${r.increments} increments for ${r.options.clients} browsers`);
  return out.concat(r.samples.map((s) => `  e.g. ${s}`));
}

export function describeRedisLoad(r: RedisLoadReport): string {
  return [
    `${r.options.clients} virtual browsers, ${r.options.servers} app server processes sharing one redis-server, ${r.options.seconds} s:`,
    `  ${r.requests.toLocaleString('en')} requests, ${Math.round(r.requestsPerSecond).toLocaleString('en')} req/s`,
    `  ${r.increments.toLocaleString('en')} increments acknowledged (${r.conflictRetries} server retries after ERR_STORE_CONFLICT, ${r.gaveUp} given up with 409)`,
    `  errors ${r.errors}, wrong pages ${r.mismatches}, browsers with lost updates ${r.lostUpdates}`,
  ].join('\n');
}
