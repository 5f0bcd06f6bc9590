/**
 * Forgetting `commit()` is loud. A session from `store.fetch` / `store.next`
 * (`handleSession(request…)`, `handleSession(await cookies())`) that changed
 * and is garbage-collected without a commit having written the change is
 * reported (`onWarning`, `uncommitted`): checked with real garbage collection
 * in a child process (`node --expose-gc`). `withSession` commits by itself,
 * and says so when it cannot (a `Response.error()` carries no cookies).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { CookieSessionStore, type SessionWarning } from '../../src/index';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface ChildReport {
  received: Record<string, string[]>;
  printed: string[];
}

function runChild(env: Record<string, string | undefined>): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('./uncommitted-gc.ts', import.meta.url))], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`child exited with ${code}: ${err}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ChildReport);
    });
  });
}

describe('a session garbage-collected with a change no commit wrote (real GC in a child process)', () => {
  let report: ChildReport;
  beforeAll(async () => {
    report = await runChild({ NODE_ENV: 'development' });
  }, 60_000);

  test('is reported through onWarning, for store.fetch and store.next; committed, read-only and settled sessions are not', () => {
    const codes = Object.fromEntries(Object.entries(report.received).map(([scenario, warnings]) => [scenario, warnings.map((w) => w.split(':')[0])]));
    expect(codes).toEqual({
      'fetch: changed, never committed': ['uncommitted'],
      'fetch without a target: changed, never committed': ['uncommitted'],
      'fetch: changed and committed': [],
      'fetch: committed, then changed again': ['uncommitted'],
      'fetch: only read': [],
      'next: changed, never committed': ['uncommitted'],
      'next: changed and committed': [],
      'settled by an integration': [],
    });
    expect(report.received['fetch: changed, never committed']![0]).toContain('store.withSession(handler)');
    expect(report.received['next: changed, never committed']![0]).toContain('store.next(cookies)');
  });

  test('without a hook, the default reporter prints it once per process with console.warn', () => {
    const uncommitted = report.printed.filter((line) => line.includes('(uncommitted)'));
    expect(uncommitted).toHaveLength(1);
    expect(uncommitted[0]).toMatch(/^sealed-session \(uncommitted\): a session from store\.fetch/);
  });

  test('under NODE_ENV=production the default reporter prints nothing; a hook still hears every one', async () => {
    const production = await runChild({ NODE_ENV: 'production' });
    expect(production.printed).toEqual([]);
    expect(production.received['fetch: changed, never committed']).toHaveLength(1);
  }, 60_000);
});

describe('withSession', () => {
  const make = (warnings: SessionWarning[]) =>
    new CookieSessionStore({ keys: 'uncommitted-test-secret-0123456789abcdefghij', onWarning: (w) => warnings.push(w) });

  test('a handler that changed the session and returned Response.error() is reported: the change was not sent', async () => {
    const warnings: SessionWarning[] = [];
    const handler = make(warnings).withSession((_request: Request, session) => {
      session.set('user', 'ada');
      return Response.error();
    });
    const response = await handler(new Request('http://127.0.0.1/'));
    expect(response.type).toBe('error');
    expect(warnings.map((w) => [w.code, w.cookie])).toEqual([['uncommitted', 'session']]);
    expect(warnings[0]!.message).toContain('Response.error()');
  });

  test('a handler that forgot commit() is committed for it, and nothing is reported', async () => {
    const warnings: SessionWarning[] = [];
    const handler = make(warnings).withSession((_request: Request, session) => {
      session.set('user', 'ada');
      return new Response('ok');
    });
    const response = await handler(new Request('http://127.0.0.1/'));
    expect(response.headers.getSetCookie()).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  test('Response.error() from a handler that changed nothing is not reported', async () => {
    const warnings: SessionWarning[] = [];
    const handler = make(warnings).withSession(() => Response.error());
    await handler(new Request('http://127.0.0.1/'));
    expect(warnings).toEqual([]);
  });
});

describe('the onWarning option', () => {
  test('must be a function (ERR_CONFIG_OPTION naming it)', () => {
    expect(() => new CookieSessionStore({ keys: 'uncommitted-test-secret-0123456789abcdefghij', onWarning: 'log' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG_OPTION', option: 'onWarning' }),
    );
  });

  test('a hook that throws does not break the request', async () => {
    const store = new CookieSessionStore({
      keys: 'uncommitted-test-secret-0123456789abcdefghij',
      onWarning: () => {
        throw new Error('logger down');
      },
    });
    const handler = store.withSession((_request: Request, session) => {
      session.set('user', 'ada');
      return Response.error();
    });
    expect((await handler(new Request('http://127.0.0.1/'))).type).toBe('error');
  });
});
