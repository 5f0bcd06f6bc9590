/**
 * Exactly one Set-Cookie per cookie name, and never a silent drop: the one
 * rule every adapter follows when the application sets a cookie of the
 * session's name itself. The application's value wins, whenever it was set
 * (before or after the commit); the session's write of that name is dropped
 * and reported through `onWarning` (`cookie-conflict`); the application's
 * other cookies are always kept. Checked on the real responses of node:http,
 * the Fetch API (`withSession`, `store.fetch`) and Next's cookie store.
 */
import { createServer } from 'node:http';
import { MutableRequestCookiesAdapter } from 'next/dist/server/web/spec-extension/adapters/request-cookies';
import { RequestCookies } from 'next/dist/compiled/@edge-runtime/cookies';
import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type CookieStoreLike, type SessionWarning } from '../../src/index';
import { expectOneSetCookiePerName, isDeletion, listen, parseSetCookie, type Listening } from '../helpers/jar';

const SECRET = 'one-cookie-per-name-secret-0123456789abcdefghij';
const schema = z.object({ user: z.string().optional() });

function reportingStore(extra: { maxChunks?: number } = {}) {
  const warnings: SessionWarning[] = [];
  const store = new CookieSessionStore({ keys: SECRET, schema, cookie: { secure: false }, onWarning: (w) => warnings.push(w), ...extra });
  return { store, warnings };
}

const APP_REMOVAL = 'session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT';

/** The session cookie's Set-Cookie values and the names of all, checked one per name. */
function named(values: readonly string[]): { names: string[]; session: string | undefined } {
  const parsed = expectOneSetCookiePerName(values);
  return { names: parsed.map((c) => c.name), session: parsed.find((c) => c.name === 'session')?.raw };
}

describe('node:http', () => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  test("a removal the application appends after commit() (Express' clearCookie way) is the one value sent for the name, reported", async () => {
    const { store, warnings } = reportingStore();
    server = await listen(
      createServer(async (req, res) => {
        const session = await store.handleSession(req, res);
        session.set('user', 'ada');
        await session.commit();
        res.appendHeader('set-cookie', APP_REMOVAL);
        res.appendHeader('set-cookie', 'theme=dark');
        res.end();
      }),
    );
    const values = (await fetch(server.origin)).headers.getSetCookie();
    expect(named(values)).toEqual({ names: ['session', 'theme'], session: APP_REMOVAL });
    expect(warnings.map((w) => [w.code, w.cookie])).toEqual([['cookie-conflict', 'session']]);
  });

  test('a value the application set before the session changed wins over the commit at writeHead, reported', async () => {
    const { store, warnings } = reportingStore();
    server = await listen(
      createServer(async (req, res) => {
        const session = await store.handleSession(req, res);
        res.setHeader('set-cookie', ['session=app-value; Path=/', 'a=1']);
        session.set('user', 'ada'); // committed when the headers go out
        res.end();
      }),
    );
    const values = (await fetch(server.origin)).headers.getSetCookie();
    expect(values).toEqual(['session=app-value; Path=/', 'a=1']);
    expect(warnings.map((w) => w.code)).toEqual(['cookie-conflict']);
  });

  test('writeHead given two values of its own for the session name: only the last is sent', async () => {
    const { store, warnings } = reportingStore();
    server = await listen(
      createServer(async (req, res) => {
        const session = await store.handleSession(req, res);
        session.set('user', 'ada');
        res.writeHead(200, { 'set-cookie': ['session=first', 'other=1', 'session=second'] });
        res.end();
      }),
    );
    const values = (await fetch(server.origin)).headers.getSetCookie();
    expect(values).toEqual(['other=1', 'session=second']);
    expect(warnings).toHaveLength(1);
  });

  test('without a value of its own for our names, every cookie of the application and ours go out once', async () => {
    const { store, warnings } = reportingStore();
    server = await listen(
      createServer(async (req, res) => {
        const session = await store.handleSession(req, res);
        session.set('user', 'ada');
        await session.commit();
        res.appendHeader('set-cookie', 'a=1');
        session.set('user', 'grace'); // a second commit at writeHead replaces the first one's value
        res.end();
      }),
    );
    const values = (await fetch(server.origin)).headers.getSetCookie();
    const { names, session } = named(values);
    expect(names).toEqual(['a', 'session']);
    expect((await store.load(parseSetCookie(session!).raw.split(';')[0])).get('user')).toBe('grace');
    expect(warnings).toEqual([]);
  });
});

describe('Fetch API', () => {
  test("withSession: a Set-Cookie of the handler's own for the session name is the one sent, reported; its other cookies are kept", async () => {
    const { store, warnings } = reportingStore();
    const handler = store.withSession(async (_request: Request, session) => {
      session.set('user', 'ada');
      await session.commit();
      const headers = new Headers();
      headers.append('set-cookie', APP_REMOVAL);
      headers.append('set-cookie', 'theme=dark');
      return new Response('ok', { headers });
    });
    const response = await handler(new Request('http://127.0.0.1/'));
    expect(named(response.headers.getSetCookie())).toEqual({ names: ['session', 'theme'], session: APP_REMOVAL });
    expect(warnings.map((w) => [w.code, w.cookie])).toEqual([['cookie-conflict', 'session']]);
  });

  test("withSession on a redirect (immutable headers): the handler's own cookies and ours, one per name", async () => {
    const { store, warnings } = reportingStore();
    const handler = store.withSession(async (_request: Request, session) => {
      session.set('user', 'ada');
      return Response.redirect('http://127.0.0.1/next', 303);
    });
    const response = await handler(new Request('http://127.0.0.1/'));
    expect(response.status).toBe(303);
    expect(named(response.headers.getSetCookie()).names).toEqual(['session']);
    expect(warnings).toEqual([]);
  });

  test("store.fetch(request, headers): a value the application put on the Headers first wins over the commit's, reported", async () => {
    const { store, warnings } = reportingStore();
    const headers = new Headers([['set-cookie', 'session=app; Path=/'], ['set-cookie', 'a=1']]);
    const session = await store.fetch(new Request('http://127.0.0.1/'), headers);
    session.set('user', 'ada');
    expect(await session.commit()).toHaveLength(1);
    expect(headers.getSetCookie()).toEqual(['session=app; Path=/', 'a=1']);
    expect(warnings.map((w) => w.code)).toEqual(['cookie-conflict']);
  });

  test('store.fetch(request, headers): a value the handler appends after the commit is not seen (withSession resolves the response it returns)', async () => {
    const { store, warnings } = reportingStore();
    const headers = new Headers();
    const session = await store.fetch(new Request('http://127.0.0.1/'), headers);
    session.set('user', 'ada');
    await session.commit();
    headers.append('set-cookie', APP_REMOVAL);
    expect(headers.getSetCookie().map((v) => parseSetCookie(v).name)).toEqual(['session', 'session']);
    expect(warnings).toEqual([]);
  });

  test('a chunked session whose head the application took: the chunk names it did not touch are still written', async () => {
    const { store, warnings } = reportingStore({ maxChunks: 3 });
    const headers = new Headers([['set-cookie', APP_REMOVAL]]);
    const session = await store.fetch(new Request('http://127.0.0.1/'), headers);
    session.set('user', 'x'.repeat(4000));
    await session.commit();
    const { names } = named(headers.getSetCookie());
    expect(names[0]).toBe('session');
    expect(names.slice(1)).toContain('session.1');
    expect(headers.getSetCookie()[0]).toBe(APP_REMOVAL);
    expect(warnings.map((w) => w.cookie)).toEqual(['session']);
  });
});

describe("Next.js' cookie store", () => {
  test("a value the action sets after the commit replaces the session's in Next's own store (one value per name, not seen by the adapter)", async () => {
    const { store, warnings } = reportingStore();
    let sent: string[] = [];
    const cookies = MutableRequestCookiesAdapter.wrap(new RequestCookies(new Headers()), (values) => (sent = values));
    const session = await store.next(cookies as unknown as CookieStoreLike);
    session.set('user', 'ada');
    await session.commit();
    cookies.delete('session');
    const parsed = expectOneSetCookiePerName(sent);
    expect(parsed.map((c) => c.name)).toEqual(['session']);
    expect(isDeletion(parsed[0]!)).toBe(true);
    expect(warnings).toEqual([]);
  });

  test('a value the action set for the session name before the commit stays, reported; Next sends one value per name', async () => {
    const { store, warnings } = reportingStore();
    let sent: string[] = [];
    const cookies = MutableRequestCookiesAdapter.wrap(new RequestCookies(new Headers()), (values) => (sent = values));
    const session = await store.next(cookies as unknown as CookieStoreLike);
    cookies.delete('session');
    cookies.set('theme', 'dark');
    session.set('user', 'ada');
    await session.commit();
    const parsed = expectOneSetCookiePerName(sent);
    expect(parsed.map((c) => c.name).sort()).toEqual(['session', 'theme']);
    expect(isDeletion(parsed.find((c) => c.name === 'session')!)).toBe(true);
    expect(warnings.map((w) => w.code)).toEqual(['cookie-conflict']);
  });

  test('the request’s own value of the session cookie is not a conflict: the commit replaces it', async () => {
    const { store, warnings } = reportingStore();
    const seed = await store.load(undefined);
    seed.set('user', 'ada');
    const [header] = await seed.commit();
    let sent: string[] = [];
    const cookies = MutableRequestCookiesAdapter.wrap(new RequestCookies(new Headers({ cookie: header!.split(';')[0]! })), (values) => (sent = values));
    const session = await store.next(cookies as unknown as CookieStoreLike);
    session.set('user', 'grace');
    await session.commit();
    const [cookie] = expectOneSetCookiePerName(sent);
    expect((await store.load(`session=${cookie!.value}`)).get('user')).toBe('grace');
    expect(warnings).toEqual([]);
  });
});
