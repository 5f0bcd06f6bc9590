/**
 * `handleSession` and `withSession` with Fetch API objects, no server: what a
 * handler's Response ends up carrying, and what a later Request reads back.
 */
import { getIronSession, webCookies } from 'iron-session';
import { NextRequest, NextResponse } from 'next/server';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type CookieSetOptions, type CookieStoreLike, type Session, type SessionWarning } from '../../src/index';
import { fromIronSession } from '../../src/iron-session/index';
import { CookieJar, expectOneSetCookiePerName, isDeletion, parseSetCookie } from '../helpers/jar';
import { rejection } from '../session/helpers';

const STORE_OPTIONS = {
  keys: 'web-adapter-test-secret-0123456789abcdefghijkl',
  schema: z.object({ count: z.number().int().default(0) }),
  cookie: { name: 'sid', sameSite: 'strict' },
  ttl: 3600,
  idleTimeout: false,
} as const;
const store = new CookieSessionStore(STORE_OPTIONS);
type S = Session<{ count: number }>;

const URL_ = 'http://127.0.0.1/app';

/** A request carrying the jar's cookies. */
function requestFrom(jar: CookieJar): Request {
  const cookie = jar.header();
  return new Request(URL_, cookie === undefined ? {} : { headers: { cookie } });
}

function increment(session: S): void {
  session.set('count', session.get('count') + 1);
}

describe('handleSession(request, response)', () => {
  test('appends to the Set-Cookie values the response has, and the state reads back', async () => {
    const jar = new CookieJar();
    const response = new Response('ok', { headers: { 'set-cookie': 'other=1; Path=/' } });
    const session = await store.handleSession(requestFrom(jar), response);
    increment(session);
    const written = await session.commit();

    const values = response.headers.getSetCookie();
    expect(values.map((v) => parseSetCookie(v).name)).toEqual(['other', 'sid']);
    expect(values[1]).toBe(written[0]);
    jar.apply(values);
    expect((await store.handleSession(requestFrom(jar))).get('count')).toBe(1);
  });

  test('a second commit replaces the first one\'s value: one Set-Cookie per name', async () => {
    const response = new Response('ok', { headers: { 'set-cookie': 'other=1' } });
    const session = await store.handleSession(new Request(URL_), response);
    increment(session);
    await session.commit();
    increment(session);
    await session.commit();

    const parsed = expectOneSetCookiePerName(response.headers.getSetCookie());
    expect(parsed.map((p) => p.name)).toEqual(['other', 'sid']);
    const jar = new CookieJar();
    jar.apply(response.headers.getSetCookie());
    expect((await store.handleSession(requestFrom(jar))).get('count')).toBe(2);
  });

  test("a value the response already had for the session's cookie name is the application's: it is sent, ours is not, and the conflict is reported", async () => {
    const warnings: SessionWarning[] = [];
    const reporting = new CookieSessionStore({ ...STORE_OPTIONS, onWarning: (w) => warnings.push(w) });
    const response = new Response('ok', { headers: { 'set-cookie': 'sid=; Path=/; Max-Age=0' } });
    response.headers.append('set-cookie', 'other=1');
    const session = await reporting.handleSession(new Request(URL_), response);
    increment(session);
    await session.commit();
    increment(session);
    await session.commit();

    expect(response.headers.getSetCookie()).toEqual(['sid=; Path=/; Max-Age=0', 'other=1']);
    expect(warnings.map((w) => [w.code, w.cookie])).toEqual([['cookie-conflict', 'sid']]);
    expect(warnings[0]!.message).toContain('"sid"');
  });

  test('an immutable response (Response.redirect) makes commit reject with ERR_SESSION_ADAPTER', async () => {
    const session = await store.handleSession(new Request(URL_), Response.redirect(`${URL_}/next`, 303));
    increment(session);
    expect((await rejection(session.commit())).code).toBe('ERR_SESSION_ADAPTER');
  });
});

describe('handleSession(request, headers) and handleSession(request)', () => {
  test('a Headers object receives the cookies', async () => {
    const headers = new Headers({ 'set-cookie': 'other=1' });
    const session = await store.handleSession(new Request(URL_), headers);
    increment(session);
    await session.commit();
    expect(headers.getSetCookie().map((v) => parseSetCookie(v).name)).toEqual(['other', 'sid']);
  });

  test('without a response, commit() only returns the values', async () => {
    const jar = new CookieJar();
    const session = await store.handleSession(requestFrom(jar));
    increment(session);
    const values = await session.commit();
    expect(values.map((v) => parseSetCookie(v).name)).toEqual(['sid']);
    jar.apply(values);
    const again = await store.handleSession(requestFrom(jar));
    expect({ count: again.get('count'), isNew: again.isNew }).toEqual({ count: 1, isNew: false });
  });
});

describe('withSession(handler)', () => {
  const count = store.withSession(async (_request: Request, session, ctx: { label: string }) => {
    increment(session);
    return Response.json({ count: session.get('count'), label: ctx.label });
  });

  test('commits onto the Response the handler returns, and passes extra arguments through', async () => {
    const jar = new CookieJar();
    const first = await count(requestFrom(jar), { label: 'ctx-1' });
    expect(await first.clone().json()).toEqual({ count: 1, label: 'ctx-1' });
    jar.apply(first.headers.getSetCookie());
    expect(jar.names()).toEqual(['sid']);
    const second = await count(requestFrom(jar), { label: 'ctx-2' });
    expect(await second.json()).toEqual({ count: 2, label: 'ctx-2' });
  });

  test('copies a Response.redirect() (immutable headers) and keeps status, Location and body', async () => {
    const jar = new CookieJar();
    const original = Response.redirect(`${URL_}/done`, 303);
    const handler = store.withSession((_request: Request, session) => {
      increment(session);
      return original;
    });
    const response = await handler(requestFrom(jar));
    expect(response).not.toBe(original);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${URL_}/done`);
    jar.apply(response.headers.getSetCookie());
    expect(jar.names()).toEqual(['sid']);
  });

  test('keeps the cookie of a commit the handler ran itself', async () => {
    const jar = new CookieJar();
    const handler = store.withSession(async (_request: Request, session) => {
      increment(session);
      await session.commit();
      return Response.json({ ok: true });
    });
    const response = await handler(requestFrom(jar));
    expect(response.headers.getSetCookie().map((v) => parseSetCookie(v).name)).toEqual(['sid']);
    jar.apply(response.headers.getSetCookie());
    expect((await store.handleSession(requestFrom(jar))).get('count')).toBe(1);
  });

  test('a handler commit followed by more changes: one Set-Cookie per name, the last state wins', async () => {
    const jar = new CookieJar();
    const handler = store.withSession(async (_request: Request, session) => {
      increment(session);
      await session.commit();
      increment(session);
      return new Response('ok', { headers: { 'set-cookie': 'other=1; Path=/' } });
    });
    const response = await handler(requestFrom(jar));
    expect(expectOneSetCookiePerName(response.headers.getSetCookie()).map((c) => c.name)).toEqual(['other', 'sid']);
    jar.apply(response.headers.getSetCookie());
    expect((await store.handleSession(requestFrom(jar))).get('count')).toBe(2);
  });

  test('a handler commit onto an immutable Response.redirect() is copied with the cookie', async () => {
    const jar = new CookieJar();
    const handler = store.withSession(async (_request: Request, session) => {
      increment(session);
      await session.commit();
      return Response.redirect(`${URL_}/done`, 303);
    });
    const response = await handler(requestFrom(jar));
    expect(response.status).toBe(303);
    jar.apply(response.headers.getSetCookie());
    expect((await store.handleSession(requestFrom(jar))).get('count')).toBe(1);
  });

  test('returns Response.error() unchanged (no RangeError): a network error carries no cookies', async () => {
    const original = Response.error();
    const handler = store.withSession((_request: Request, session) => {
      increment(session);
      return original;
    });
    const response = await handler(new Request(URL_));
    expect(response).toBe(original);
    expect(response.type).toBe('error');
  });

  test('returns the very same Response when nothing changed', async () => {
    const original = new Response('unchanged');
    const handler = store.withSession(() => original);
    const response = await handler(new Request(URL_));
    expect(response).toBe(original);
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});

describe('a NextResponse-like response with a cookies store', () => {
  /** What `NextResponse` offers: Headers, plus a `cookies.set` that rewrites Set-Cookie itself. */
  function fakeNextResponse(): { headers: Headers; cookies: { set(options: CookieSetOptions): void }; calls: CookieSetOptions[] } {
    const calls: CookieSetOptions[] = [];
    return { headers: new Headers(), cookies: { set: (options) => void calls.push(options) }, calls };
  }

  test('cookies are written through cookies.set with their attributes', async () => {
    const response = fakeNextResponse();
    const session = await store.handleSession(new Request(URL_), response);
    increment(session);
    const before = Date.now();
    const [header] = await session.commit();

    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.calls).toHaveLength(1);
    const call = response.calls[0]!;
    const sent = parseSetCookie(header!);
    expect(call).toMatchObject({ name: 'sid', value: sent.value, path: '/', httpOnly: true, secure: true, sameSite: 'strict' });
    expect(call.maxAge).toBe(Number(sent.attributes.get('max-age')));
    expect(call.maxAge).toBeGreaterThan(3500);
    expect(call.maxAge).toBeLessThanOrEqual(3600);
    expect(call.expires).toBeInstanceOf(Date);
    expect(call.expires!.getTime()).toBeGreaterThanOrEqual(before + call.maxAge! * 1000 - 1000);
    expect(call.expires!.getTime()).toBeLessThanOrEqual(Date.now() + call.maxAge! * 1000 + 1000);
    expect(call.domain).toBeUndefined();
  });

  test('destroy() deletes through cookies.set: empty value, maxAge 0, expires at the epoch', async () => {
    const jar = new CookieJar();
    const first = await store.handleSession(requestFrom(jar));
    increment(first);
    jar.apply(await first.commit());

    const response = fakeNextResponse();
    const session = await store.handleSession(requestFrom(jar), response);
    session.destroy();
    await session.commit();
    expect(response.calls).toHaveLength(1);
    expect(response.calls[0]).toMatchObject({ name: 'sid', value: '', maxAge: 0, path: '/', secure: true, sameSite: 'strict' });
    expect(response.calls[0]!.expires!.getTime()).toBe(0);
  });
});

describe("next/server's NextResponse", () => {
  /** Set-Cookie values of a response by name, checked for one per name. */
  function byName(response: Response): Map<string, string> {
    return new Map(expectOneSetCookiePerName(response.headers.getSetCookie()).map((c) => [c.name, c.value]));
  }

  test('keeps the Set-Cookie values the route appended to response.headers itself', async () => {
    const response = NextResponse.json({ ok: true });
    response.cookies.set('theme', 'dark', { path: '/' });
    response.headers.append('set-cookie', 'consent=yes; Path=/');
    response.headers.append('set-cookie', 'lang=fr; Path=/');
    const session = await store.handleSession(new NextRequest(URL_), response);
    increment(session);
    await session.commit();
    const cookies = byName(response);
    expect([...cookies.keys()].sort()).toEqual(['consent', 'lang', 'sid', 'theme']);
    expect([cookies.get('consent'), cookies.get('lang'), cookies.get('theme')]).toEqual(['yes', 'fr', 'dark']);
    // Next.js still knows our cookie (what a proxy hands to the page it renders).
    expect(response.cookies.get('sid')?.value).toBe(cookies.get('sid'));
  });

  test("a value the route appended for our cookie name wins over the commit's (one Set-Cookie per name), reported", async () => {
    const warnings: SessionWarning[] = [];
    const reporting = new CookieSessionStore({ ...STORE_OPTIONS, onWarning: (w) => warnings.push(w) });
    const response = NextResponse.next();
    response.headers.append('set-cookie', 'sid=theirs; Path=/');
    response.headers.append('set-cookie', 'other=1; Path=/');
    const session = await reporting.handleSession(new NextRequest(URL_), response);
    increment(session);
    await session.commit();
    const values = response.headers.getSetCookie();
    expectOneSetCookiePerName(values);
    expect(byName(response)).toEqual(new Map([['sid', 'theirs'], ['other', '1']]));
    expect(warnings.map((w) => w.code)).toEqual(['cookie-conflict']);
  });

  test('a second commit through NextResponse#cookies replaces the first one\'s value', async () => {
    const response = NextResponse.next();
    response.headers.append('set-cookie', 'other=1; Path=/');
    const session = await store.handleSession(new NextRequest(URL_), response);
    increment(session);
    await session.commit();
    increment(session);
    const [written] = await session.commit();
    const cookies = byName(response);
    expect([...cookies.keys()].sort()).toEqual(['other', 'sid']);
    expect(cookies.get('sid')).toBe(parseSetCookie(written!).value);
    expect(response.headers.get('x-middleware-set-cookie')).toContain('sid=');
  });

  test('withSession on a NextResponse with cookies appended to its headers', async () => {
    const jar = new CookieJar();
    const handler = store.withSession((_request: NextRequest, session) => {
      increment(session);
      const response = NextResponse.json({ ok: true });
      response.headers.append('set-cookie', 'consent=yes; Path=/');
      return response;
    });
    const response = await handler(new NextRequest(URL_));
    expect([...byName(response).keys()].sort()).toEqual(['consent', 'sid']);
    jar.apply(response.headers.getSetCookie());
    expect((await store.handleSession(requestFrom(jar))).get('count')).toBe(1);
  });
});

describe('handleSession(cookie store) with fromIronSession', () => {
  const IRON_PASSWORD = 'the-old-iron-session-password-0123456789';
  const migrating = new CookieSessionStore({
    keys: 'web-adapter-test-secret-0123456789abcdefghijkl',
    schema: z.object({ userId: z.string().optional(), cart: z.array(z.string()).default([]) }),
    cookie: { name: 'sid' },
    maxBytes: 8192,
    legacy: fromIronSession({ cookieName: 'myapp_session', password: IRON_PASSWORD }),
  });

  /** The Set-Cookie values iron-session 9 sends for `data`. */
  async function ironSessionCookies(data: Record<string, unknown>, chunk = false): Promise<string[]> {
    const headers = new Headers();
    const session = await getIronSession<Record<string, unknown>>(webCookies(new Request(URL_), headers), {
      cookieName: 'myapp_session',
      password: IRON_PASSWORD,
      chunk,
    });
    Object.assign(session, data);
    await session.save();
    return headers.getSetCookie();
  }

  /** The shape of Next.js' `await cookies()`: getAll() and set(), over a jar. */
  function cookieStore(jar: CookieJar): CookieStoreLike & { calls: CookieSetOptions[] } {
    const calls: CookieSetOptions[] = [];
    return {
      calls,
      getAll: () => {
        const header = jar.header();
        if (header === undefined) return [];
        return header.split('; ').map((pair) => ({ name: pair.slice(0, pair.indexOf('=')), value: pair.slice(pair.indexOf('=') + 1) }));
      },
      set: (options) => {
        calls.push(options);
        jar.apply([`${options.name}=${options.value}${options.maxAge === 0 ? '; Max-Age=0' : ''}`]);
      },
    };
  }

  test("migrates iron-session's cookie and deletes it through cookies().set", async () => {
    const jar = new CookieJar();
    jar.apply(await ironSessionCookies({ userId: 'u_42', cart: ['a'] }));
    jar.put('theme', 'dark');
    const cookies = cookieStore(jar);
    const session = await migrating.handleSession(cookies);
    expect(session.invalidReason).toBeUndefined();
    expect(session.data).toEqual({ userId: 'u_42', cart: ['a'] });
    await session.commit();
    expect(cookies.calls.map((c) => [c.name, c.maxAge === 0])).toEqual([
      ['sid', false],
      ['myapp_session', true],
    ]);
    expect(jar.names().sort()).toEqual(['sid', 'theme']);
    expect((await migrating.handleSession(cookieStore(jar))).get('userId')).toBe('u_42');
  });

  test("migrates iron-session's chunked cookies (name.0, name.1, …) and deletes every chunk", async () => {
    const cart = Array.from({ length: 120 }, (_, i) => `item-${i}-${'x'.repeat(20)}`);
    const jar = new CookieJar();
    jar.apply(await ironSessionCookies({ userId: 'u_big', cart }, true));
    expect(jar.names()).toEqual(expect.arrayContaining(['myapp_session.0', 'myapp_session.1']));
    const session = await migrating.handleSession(cookieStore(jar));
    expect(session.get('cart')).toHaveLength(120);
    await session.commit();
    expect(jar.names().every((n) => n === 'sid' || n.startsWith('sid.'))).toBe(true);
    expect((await migrating.handleSession(cookieStore(jar))).get('userId')).toBe('u_big');
  });

  test('other cookies of the store are not read', async () => {
    const jar = new CookieJar();
    jar.apply(await ironSessionCookies({ userId: 'u_1' }));
    const value = jar.get('myapp_session')!;
    const other = new CookieJar();
    other.put('myapp_sessionX', value);
    other.put('xmyapp_session', value);
    const session = await migrating.handleSession(cookieStore(other));
    expect(session.isNew).toBe(true);
    expect(session.get('userId')).toBeUndefined();
  });
});

describe('wrong arguments', () => {
  const request = new Request(URL_);
  const cases: ReadonlyArray<readonly [string, unknown[]]> = [
    ['nothing', []],
    ['null', [null]],
    ['a string', ['sid=1']],
    ['a plain object', [{}]],
    ['a request and a number', [request, 42]],
    ['a request and a plain object', [request, { headers: {} }]],
    ['a node-like request without a response', [{ headers: { cookie: 'sid=1' } }]],
    ['a cookie store and a second argument', [{ getAll: () => [], set: () => undefined }, new Headers()]],
  ];
  test.each(cases)('%s → ERR_SESSION_ADAPTER', async (_, args) => {
    const handleSession = store.handleSession as (...a: unknown[]) => Promise<unknown>;
    const err = await rejection(handleSession(...args));
    expect(err.code).toBe('ERR_SESSION_ADAPTER');
    expect(err.message).toMatch(/handleSession takes/);
  });
});

test('destroy() answers with deletions only, and the client ends with no cookie', async () => {
  const jar = new CookieJar();
  const s = await store.handleSession(requestFrom(jar));
  increment(s);
  jar.apply(await s.commit());
  const purge = await store.handleSession(requestFrom(jar));
  purge.destroy();
  const values = await purge.commit();
  expect(values.map(parseSetCookie).every(isDeletion)).toBe(true);
  jar.apply(values);
  expect(jar.names()).toEqual([]);
});
