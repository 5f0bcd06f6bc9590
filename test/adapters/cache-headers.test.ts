/**
 * Cache safety: a response that carries the session's Set-Cookie is kept out
 * of shared caches (CDNs, proxies), which would otherwise hand one user's
 * session to others. No Cache-Control becomes `private, no-cache`; one that
 * lets shared caches store the response is made private (an explicit
 * `public` / `s-maxage` reported as `public-cache`); `Vary: Cookie` is added
 * once. Responses without a session cookie keep their headers, and
 * `cacheHeaders: false` turns it off. Checked on the real responses of
 * node:http and the Fetch API (`withSession`, `store.fetch`, `NextResponse`).
 */
import { createServer, type ServerResponse } from 'node:http';
import { NextRequest, NextResponse } from 'next/server';
import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type SessionWarning } from '../../src/index';
import { listen, type Listening } from '../helpers/jar';

const KEYS = 'cache-headers-test-secret-0123456789abcdefghij';
const schema = z.object({ user: z.string().optional() });

function makeStore(extra: { cacheHeaders?: boolean } = {}) {
  const warnings: SessionWarning[] = [];
  const store = new CookieSessionStore({ keys: KEYS, schema, cookie: { secure: false }, onWarning: (w) => warnings.push(w), ...extra });
  return { store, warnings };
}

/** What the application sets, and what the response must carry when the session cookie is on it. */
const CASES: ReadonlyArray<{ name: string; cacheControl?: string; vary?: string; expected: { cacheControl: string; vary: string }; reported: boolean }> = [
  { name: 'no Cache-Control', expected: { cacheControl: 'private, no-cache', vary: 'Cookie' }, reported: false },
  { name: 'public, max-age=600', cacheControl: 'public, max-age=600', expected: { cacheControl: 'private, max-age=600', vary: 'Cookie' }, reported: true },
  { name: 's-maxage=60, stale-while-revalidate=30', cacheControl: 's-maxage=60, stale-while-revalidate=30', expected: { cacheControl: 'private, stale-while-revalidate=30', vary: 'Cookie' }, reported: true },
  { name: 'max-age=60 (storable by shared caches too)', cacheControl: 'max-age=60', expected: { cacheControl: 'private, max-age=60', vary: 'Cookie' }, reported: false },
  { name: 'private="set-cookie" (the body is still storable)', cacheControl: 'private="set-cookie", max-age=60', expected: { cacheControl: 'private, private="set-cookie", max-age=60', vary: 'Cookie' }, reported: false },
  { name: 'no-store, kept', cacheControl: 'no-store', expected: { cacheControl: 'no-store', vary: 'Cookie' }, reported: false },
  { name: 'private, max-age=60, kept', cacheControl: 'private, max-age=60', expected: { cacheControl: 'private, max-age=60', vary: 'Cookie' }, reported: false },
  { name: 'Vary merged, once', vary: 'Accept-Encoding', expected: { cacheControl: 'private, no-cache', vary: 'Accept-Encoding, Cookie' }, reported: false },
  { name: 'Vary with cookie already, any case', vary: 'accept-encoding, cookie', expected: { cacheControl: 'private, no-cache', vary: 'accept-encoding, cookie' }, reported: false },
  { name: 'Vary: *, kept', vary: '*', expected: { cacheControl: 'private, no-cache', vary: '*' }, reported: false },
];

const headersOf = (r: Response) => ({ cacheControl: r.headers.get('cache-control'), vary: r.headers.get('vary') });

describe('node:http', () => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(handler: (req: Parameters<Parameters<typeof createServer>[1] & {}>[0], res: ServerResponse) => Promise<void>): Promise<string> {
    server = await listen(createServer((req, res) => void handler(req, res)));
    return server.origin;
  }

  test.each(CASES)('setHeader, then a commit at writeHead: $name', async ({ cacheControl, vary, expected, reported }) => {
    const { store, warnings } = makeStore();
    const origin = await serve(async (req, res) => {
      const session = await store.handleSession(req, res);
      if (cacheControl) res.setHeader('Cache-Control', cacheControl);
      if (vary) res.setHeader('Vary', vary);
      session.set('user', 'ada');
      res.end('ok');
    });
    const response = await fetch(origin);
    expect(headersOf(response)).toEqual(expected);
    expect(warnings.map((w) => w.code)).toEqual(reported ? ['public-cache'] : []);
  });

  test('headers given to writeHead itself (an object and a flat array), after an explicit commit', async () => {
    const { store } = makeStore();
    const origin = await serve(async (req, res) => {
      const session = await store.handleSession(req, res);
      session.set('user', 'ada');
      await session.commit();
      if (req.url === '/object') res.writeHead(200, { 'Cache-Control': 'public, max-age=600', Vary: 'Accept' });
      else res.writeHead(200, ['Cache-Control', 'public, max-age=600', 'Vary', 'Accept']);
      res.end('ok');
    });
    for (const path of ['/object', '/array']) {
      expect(headersOf(await fetch(origin + path)), path).toEqual({ cacheControl: 'private, max-age=600', vary: 'Accept, Cookie' });
    }
  });

  test('a response that sets no session cookie keeps its cache headers (public pages stay cacheable)', async () => {
    const { store } = makeStore();
    const origin = await serve(async (req, res) => {
      const session = await store.handleSession(req, res);
      session.get('user');
      res.setHeader('Cache-Control', 'public, max-age=600');
      res.end('ok');
    });
    expect(headersOf(await fetch(origin))).toEqual({ cacheControl: 'public, max-age=600', vary: null });
  });

  test('cacheHeaders: false leaves the headers as the application set them', async () => {
    const { store, warnings } = makeStore({ cacheHeaders: false });
    const origin = await serve(async (req, res) => {
      const session = await store.handleSession(req, res);
      res.setHeader('Cache-Control', 'public, max-age=600');
      session.set('user', 'ada');
      res.end('ok');
    });
    const response = await fetch(origin);
    expect(response.headers.getSetCookie()).toHaveLength(1);
    expect(headersOf(response)).toEqual({ cacheControl: 'public, max-age=600', vary: null });
    expect(warnings).toEqual([]);
  });

  test('a removal (destroy) is a session cookie too: the response is private', async () => {
    const { store } = makeStore();
    const seed = await store.load(undefined);
    seed.set('user', 'ada');
    const [cookie] = await seed.commit();
    const origin = await serve(async (req, res) => {
      (await store.handleSession(req, res)).destroy();
      res.setHeader('Cache-Control', 'public, max-age=600');
      res.end('ok');
    });
    expect(headersOf(await fetch(origin, { headers: { cookie: cookie!.split(';')[0]! } })).cacheControl).toBe('private, max-age=600');
  });
});

describe('Fetch API', () => {
  test.each(CASES)("withSession: the handler's Response, $name", async ({ cacheControl, vary, expected, reported }) => {
    const { store, warnings } = makeStore();
    const handler = store.withSession(async (_request: Request, session) => {
      session.set('user', 'ada');
      const headers = new Headers();
      if (cacheControl) headers.set('cache-control', cacheControl);
      if (vary) headers.set('vary', vary);
      return new Response('ok', { headers });
    });
    const response = await handler(new Request('http://127.0.0.1/'));
    expect(headersOf(response)).toEqual(expected);
    expect(warnings.map((w) => w.code)).toEqual(reported ? ['public-cache'] : []);
  });

  test('withSession on a Response.redirect (immutable headers, copied): private', async () => {
    const { store } = makeStore();
    const handler = store.withSession(async (_request: Request, session) => {
      session.set('user', 'ada');
      return Response.redirect('http://127.0.0.1/next', 303);
    });
    expect(headersOf(await handler(new Request('http://127.0.0.1/')))).toEqual({ cacheControl: 'private, no-cache', vary: 'Cookie' });
  });

  test('withSession: a response without a session cookie keeps its cache headers', async () => {
    const { store } = makeStore();
    const handler = store.withSession(async () => new Response('ok', { headers: { 'cache-control': 'public, max-age=600' } }));
    expect(headersOf(await handler(new Request('http://127.0.0.1/')))).toEqual({ cacheControl: 'public, max-age=600', vary: null });
  });

  test('store.fetch(request, headers): the Headers the commit writes to are made private', async () => {
    const { store } = makeStore();
    const headers = new Headers({ 'cache-control': 's-maxage=300', vary: 'Accept' });
    const session = await store.fetch(new Request('http://127.0.0.1/'), headers);
    session.set('user', 'ada');
    await session.commit();
    expect({ cacheControl: headers.get('cache-control'), vary: headers.get('vary') }).toEqual({ cacheControl: 'private', vary: 'Accept, Cookie' });
  });

  test('store.fetch(request, headers): a Cache-Control the handler sets after the commit is not seen (withSession sees the final response)', async () => {
    const { store } = makeStore();
    const headers = new Headers();
    const session = await store.fetch(new Request('http://127.0.0.1/'), headers);
    session.set('user', 'ada');
    await session.commit();
    headers.set('cache-control', 'public, max-age=600');
    expect(headers.get('cache-control')).toBe('public, max-age=600');
  });

  test("NextResponse (through its cookies): the response is private, and Next's own headers stay", async () => {
    const { store } = makeStore();
    const response = NextResponse.json({ ok: true }, { headers: { 'cache-control': 'public, max-age=60' } });
    const session = await store.handleSession(new NextRequest('http://127.0.0.1/'), response);
    session.set('user', 'ada');
    await session.commit();
    expect(headersOf(response)).toEqual({ cacheControl: 'private, max-age=60', vary: 'Cookie' });
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  test('cacheHeaders: false on withSession', async () => {
    const { store } = makeStore({ cacheHeaders: false });
    const handler = store.withSession(async (_request: Request, session) => {
      session.set('user', 'ada');
      return new Response('ok');
    });
    expect(headersOf(await handler(new Request('http://127.0.0.1/')))).toEqual({ cacheControl: null, vary: null });
  });

  test('cacheHeaders must be true or false (ERR_CONFIG_OPTION naming it)', () => {
    expect(() => new CookieSessionStore({ keys: KEYS, cacheHeaders: 'no' as never })).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_OPTION', option: 'cacheHeaders' }));
  });
});
