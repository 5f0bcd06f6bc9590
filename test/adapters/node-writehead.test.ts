/**
 * The node:http writeHead hook at its edges: headers given to writeHead
 * itself, and a commit the application already saw fail.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { CookieSessionStore, isSessionError } from '../../src/index';

const keys = 'writehead-test-secret-writehead-test-secret';
let server: Server | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const names = (response: Response) => response.headers.getSetCookie().map((c) => c.slice(0, c.indexOf('=')));

describe('writeHead given Set-Cookie itself', () => {
  test.each([
    ['an object', { 'Set-Cookie': 'theirs=1' }],
    ['a flat array', ['Set-Cookie', 'theirs=1', 'X-Other', 'y']],
    ['a frozen object', Object.freeze({ 'Set-Cookie': ['theirs=1'] })],
  ])('keeps both the session cookie and theirs with %s', async (_, headers) => {
    const store = new CookieSessionStore({ keys, cookie: { secure: false } });
    const url = await serve(async (req, res) => {
      const session = await store.handleSession(req, res);
      session.set('n', 1); // not committed: the hook commits when writeHead runs
      res.writeHead(200, headers as never);
      res.end();
    });
    const response = await fetch(url);
    expect(names(response).sort()).toEqual(['session', 'theirs']);
  });

  test.each([
    ['an object', () => HEADERS_OBJECT],
    ['a flat array', () => HEADERS_ARRAY],
  ])("never changes the caller's headers (%s shared by every response): no cookie of one user reaches another", async (_, shared) => {
    const store = new CookieSessionStore({ keys, cookie: { secure: false } });
    const before = JSON.stringify(shared());
    const url = await serve(async (req, res) => {
      const session = await store.handleSession(req, res);
      if (req.url === '/login') session.set('user', 'alice');
      res.writeHead(200, shared() as never);
      res.end();
    });
    expect(names(await fetch(`${url}/login`)).sort()).toEqual(['consent', 'session']);
    expect(JSON.stringify(shared())).toBe(before);
    expect(names(await fetch(`${url}/home`))).toEqual(['consent']);
  });

  test("a flat array without Set-Cookie leaves the cookies set before alone, the application's and the session's", async () => {
    const store = new CookieSessionStore({ keys, cookie: { secure: false } });
    const url = await serve(async (req, res) => {
      const session = await store.handleSession(req, res);
      res.setHeader('Set-Cookie', ['theme=dark']);
      session.set('n', 1);
      await session.commit();
      res.writeHead(200, ['Content-Type', 'text/plain']);
      res.end();
    });
    const response = await fetch(url);
    expect(names(response).sort()).toEqual(['session', 'theme']);
    expect(response.headers.get('content-type')).toBe('text/plain');
  });

  test("keeps node's rule that writeHead's Set-Cookie replaces one set before, and adds the session's", async () => {
    const store = new CookieSessionStore({ keys, cookie: { secure: false } });
    const url = await serve(async (req, res) => {
      const session = await store.handleSession(req, res);
      res.setHeader('Set-Cookie', 'lang=en');
      session.set('n', 1);
      res.writeHead(200, { 'Set-Cookie': 'lang=fr' });
      res.end();
    });
    const response = await fetch(url);
    expect(response.headers.getSetCookie().map((c) => c.split(';')[0]!.replace(/=Fe26.*/, '=sealed'))).toEqual(['lang=fr', 'session=sealed']);
  });

  test("puts the session cookie back when setHeader('Set-Cookie', …) replaced it after commit()", async () => {
    const store = new CookieSessionStore({ keys, cookie: { secure: false } });
    const url = await serve(async (req, res) => {
      const session = await store.handleSession(req, res);
      session.set('n', 1);
      await session.commit();
      res.setHeader('Set-Cookie', ['a=1']);
      res.end();
    });
    const response = await fetch(url);
    const values = response.headers.getSetCookie();
    expect(names(response)).toEqual(['a', 'session']);
    expect(values[1]).toMatch(/^session=Fe26\.2\*/);
  });

  test('leaves a value the application gave the session cookie itself after commit() (a clearCookie-style removal)', async () => {
    const store = new CookieSessionStore({ keys, cookie: { secure: false } });
    const url = await serve(async (req, res) => {
      const session = await store.handleSession(req, res);
      session.set('n', 1);
      await session.commit();
      res.setHeader('Set-Cookie', ['a=1', 'session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
      res.end();
    });
    const values = (await fetch(url)).headers.getSetCookie();
    expect(values).toEqual(['a=1', 'session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
  });
});

/** Headers a handler might keep in a module-level constant. */
const HEADERS_OBJECT = { 'Content-Type': 'text/plain', 'Set-Cookie': 'consent=1; Path=/' };
const HEADERS_ARRAY = ['Content-Type', 'text/plain', 'Set-Cookie', 'consent=1; Path=/'];

describe('a commit still sealing (WebCrypto engine) when the headers go out', () => {
  test('rejects with ERR_SESSION_HEADERS_SENT, is not sealed a second time by the hook, and is reported once', async () => {
    const store = new CookieSessionStore({ keys, cookie: { secure: false }, crypto: 'webcrypto' });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    let outcome: Promise<unknown> | undefined;
    const url = await serve(async (req, res) => {
      const session = await store.handleSession(req, res);
      session.set('n', 1);
      outcome = session.commit().then(
        () => 'committed',
        (err: unknown) => (isSessionError(err) ? err.code : err),
      );
      res.end('not awaited');
    });
    const response = await fetch(url);
    expect(await response.text()).toBe('not awaited');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await outcome).toBe('ERR_SESSION_HEADERS_SENT');
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0]![0])).toContain('still sealing');
  });
});

describe('a commit that failed', () => {
  test('is not retried (nor reported as forgotten) when the headers go out', async () => {
    const store = new CookieSessionStore({ keys, cookie: { secure: false }, maxChunks: 1 });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    let code: string | undefined;
    const url = await serve(async (req, res) => {
      const session = await store.handleSession(req, res);
      session.set('blob', 'x'.repeat(5000));
      try {
        await session.commit();
      } catch (err) {
        code = isSessionError(err) ? err.code : 'other';
      }
      res.end('handled');
    });
    const response = await fetch(url);
    expect(await response.text()).toBe('handled');
    expect(code).toBe('ERR_SESSION_TOO_LARGE');
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
  });

  test('a change after the failure is committed again by the hook', async () => {
    const store = new CookieSessionStore({ keys, cookie: { secure: false }, maxChunks: 1 });
    const url = await serve(async (req, res) => {
      const session = await store.handleSession(req, res);
      session.set('blob', 'x'.repeat(5000));
      await session.commit().catch(() => {});
      session.set('blob', 'small'); // fits now
      res.end();
    });
    const response = await fetch(url);
    expect(names(response)).toEqual(['session']);
  });
});

describe('the writeHead hook is installed only when there is something to write', () => {
  const old = 'writehead-old-secret-writehead-old-secret-0';
  const fresh = 'writehead-new-secret-writehead-new-secret-0';

  test('a read-only request leaves the response alone and sends no cookie', async () => {
    const store = new CookieSessionStore({ keys, cookie: { secure: false } });
    const seed = await store.load(undefined);
    seed.set('n', 1);
    const cookie = (await seed.commit())[0]!.split(';')[0]!;
    let patched: boolean | undefined;
    const url = await serve(async (req, res) => {
      const session = await store.handleSession(req, res);
      patched = Object.hasOwn(res, 'writeHead');
      res.end(String(session.get('n')));
    });
    const response = await fetch(url, { headers: { cookie } });
    expect(await response.text()).toBe('1');
    expect(patched).toBe(false);
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  test('a re-issue due at load (a cookie under a retiring key) is still committed without an explicit commit', async () => {
    const before = new CookieSessionStore({ keys: [{ id: '1', secret: old }], cookie: { secure: false } });
    const seed = await before.load(undefined);
    seed.set('n', 7);
    const cookie = (await seed.commit())[0]!.split(';')[0]!;
    const after = new CookieSessionStore({ keys: [{ id: '2', secret: fresh }, { id: '1', secret: old }], cookie: { secure: false } });
    const url = await serve(async (req, res) => {
      const session = await after.handleSession(req, res);
      res.end(String(session.get('n'))); // no change, no commit
    });
    const response = await fetch(url, { headers: { cookie } });
    expect(await response.text()).toBe('7');
    const [reissued] = response.headers.getSetCookie();
    expect(reissued).toMatch(/^session=Fe26\.2\*2\*/);
  });
});

describe('handleSession called twice on one response (a middleware, then the route)', () => {
  test('gives the same session, so a due re-issue of the first cannot write its stale state over the route\'s', async () => {
    const store = new CookieSessionStore({ keys, cookie: { secure: false }, extend: 'on-request', touchAfter: 0 });
    const other = new CookieSessionStore({ keys, cookie: { name: 'other', secure: false } });
    const seed = await store.load(undefined);
    seed.set('n', 1);
    const cookie = (await seed.commit())[0]!.split(';')[0]!;
    let same: boolean | undefined;
    let separate: boolean | undefined;
    const url = await serve(async (req, res) => {
      const middleware = await store.handleSession(req, res);
      const route = await store.handleSession(req, res);
      same = middleware === route;
      separate = (await other.handleSession(req, res)) !== route;
      route.set('n', 2);
      await route.commit();
      res.end();
    });
    const response = await fetch(url, { headers: { cookie } });
    expect(same).toBe(true);
    expect(separate).toBe(true);
    const values = response.headers.getSetCookie();
    expect(values).toHaveLength(1);
    expect((await store.load(values[0]!.split(';')[0]!)).get('n')).toBe(2);
  });
});
