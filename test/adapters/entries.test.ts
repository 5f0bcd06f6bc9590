/**
 * The explicit entries per host, `store.node`, `store.fetch` and
 * `store.next`: each only moves headers into the one load/commit path, so
 * the same cookie reads back the same through each, and `handleSession`
 * picks the same entry for the same arguments.
 */
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CookieSessionStore, isSessionError, type CookieSetOptions, type CookieStoreLike } from '../../src/index';

const store = new CookieSessionStore({ keys: 'entries-test-secret-0123456789abcdefghijklmn', cookie: { name: 'sid' } });

/** A cookie store with Next's methods, holding what was set (the real Next one is in next.test.ts). */
class MemoryCookies implements CookieStoreLike {
  readonly values = new Map<string, string>();
  get(name: string) {
    const value = this.values.get(name);
    return value === undefined ? undefined : { name, value };
  }
  getAll() {
    return [...this.values].map(([name, value]) => ({ name, value }));
  }
  has(name: string) {
    return this.values.has(name);
  }
  set(options: CookieSetOptions) {
    if (options.maxAge === 0) this.values.delete(options.name);
    else this.values.set(options.name, options.value);
    return this;
  }
}

let url: string;
const server = createServer(async (req, res) => {
  const session = await store.node(req, res);
  if (req.url === '/write') session.set('from', 'node');
  res.end(JSON.stringify(session.data));
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  url = `http://127.0.0.1:${address.port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('one cookie, three entries', () => {
  test('a cookie written through store.node reads back through store.fetch and store.next', async () => {
    const written = await fetch(`${url}/write`);
    const setCookie = written.headers.getSetCookie();
    expect(setCookie).toHaveLength(1);
    const pair = setCookie[0]!.split(';')[0]!;

    const viaFetch = await store.fetch(new Request('http://x/', { headers: { cookie: pair } }));
    expect(viaFetch.data).toEqual({ from: 'node' });

    const cookies = new MemoryCookies();
    cookies.values.set('sid', pair.slice('sid='.length));
    const viaNext = await store.next(cookies);
    expect(viaNext.data).toEqual({ from: 'node' });

    const read = await fetch(url, { headers: { cookie: pair } });
    expect(await read.text()).toBe('{"from":"node"}');
  });

  test('store.fetch with Headers appends the commit there; without, commit() only returns it', async () => {
    const headers = new Headers();
    const bound = await store.fetch(new Request('http://x/'), headers);
    bound.set('n', 1);
    const values = await bound.commit();
    expect(headers.getSetCookie()).toEqual(values);

    const unbound = await store.fetch(new Request('http://x/'));
    unbound.set('n', 1);
    expect(await unbound.commit()).toHaveLength(1);
  });

  test('store.next sets the cookie in the cookie store', async () => {
    const cookies = new MemoryCookies();
    const session = await store.next(cookies);
    session.set('n', 2);
    await session.commit();
    expect(cookies.values.get('sid')).toMatch(/^Fe26\.2\*/);
    expect((await store.next(cookies)).data).toEqual({ n: 2 });
  });

  test("handleSession's error names every shape it accepts and the explicit entry for each", async () => {
    const err = await (store.handleSession as (a: unknown) => Promise<unknown>)(42).catch((e: unknown) => e);
    if (!isSessionError(err, 'ERR_SESSION_ADAPTER')) throw new Error('expected ERR_SESSION_ADAPTER');
    for (const part of ['(req, res)', 'store.node(req, res)', '(request)', 'store.fetch(request, responseOrHeaders)', 'await cookies()', 'store.next(cookieStore)']) {
      expect(err.message).toContain(part);
    }
  });
});
