/**
 * The Next.js 16 example app (`examples/next`), built with `next build`,
 * served by `next start` on 127.0.0.1 and driven over HTTP: route handlers
 * (`withSession`, `handleSession(request, response)`), the proxy, server
 * components and, in Chromium, server actions; and the conformance checklist
 * over HTTP, against route handlers on the app's store (`withSession`,
 * app/conformance/[step]/route.ts).
 */
import { getIronSession, webCookies } from 'iron-session';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser as Chromium, BrowserContext, Page, Response as PageResponse } from 'playwright-core';
import { CookieSessionStore } from '../../src/index';
import { sessionSchema } from '../../examples/next/lib/session';
import { describeBrowser, launchBrowser } from '../helpers/browser';
import { Client, expectOneSetCookiePerName, isDeletion, parseSetCookie, type Fetched, type ParsedSetCookie } from '../helpers/jar';
import { describeConformance } from '../integrations/conformance';
import { startNextApp, textById, type NextApp } from './next-helpers';

const SECRET = 'next-example-test-secret-0123456789abcdefghij';
const OTHER_SECRET = 'not-the-next-example-secret-0123456789abcdef';
/** The example reads iron-session's `myapp_session` cookie with this password (`fromIronSession`). */
const IRON_PASSWORD = 'the-old-iron-session-password-0123456789';

/** The JSON of GET /api/count. */
interface State {
  userId?: string;
  count: number;
  visitedViaMiddleware: number;
}

let app: NextApp;

beforeAll(async () => {
  app = await startNextApp({ SESSION_SECRET: SECRET, IRON_SESSION_PASSWORD: IRON_PASSWORD });
}, 300_000);

afterAll(async () => {
  await app?.stop();
});

/** A `sid` value sealed in this process, as another server sharing the secret would. */
async function mintCookie(secret: string, count: number): Promise<string> {
  const store = new CookieSessionStore({ keys: secret, schema: sessionSchema, cookie: { name: 'sid', secure: false } });
  const session = await store.load(undefined);
  session.set('count', count);
  const [header] = await session.commit();
  if (header === undefined) throw new Error('the commit wrote no cookie');
  return parseSetCookie(header).value;
}

/** The `myapp_session` value iron-session 9 sends for `data`. */
async function ironSessionCookie(data: Record<string, unknown>): Promise<string> {
  const headers = new Headers();
  const session = await getIronSession<Record<string, unknown>>(webCookies(new Request('http://127.0.0.1/'), headers), {
    cookieName: 'myapp_session',
    password: IRON_PASSWORD,
  });
  Object.assign(session, data);
  await session.save();
  const [header] = headers.getSetCookie();
  if (header === undefined) throw new Error('iron-session wrote no cookie');
  return parseSetCookie(header).value;
}

/** Flip one character of the seal's HMAC (its last field). */
function tamper(seal: string): string {
  const flipped = seal.at(-2) === 'A' ? 'B' : 'A';
  return seal.slice(0, -2) + flipped + seal.slice(-1);
}

/** The parsed Set-Cookie for `name` in a response (the jar already checked there is at most one). */
function setCookie(fetched: Pick<Fetched, 'setCookies'>, name = 'sid'): ParsedSetCookie | undefined {
  return fetched.setCookies.map(parseSetCookie).find((c) => c.name === name);
}

/** Names of the cookies a response set, sorted. */
function setCookieNames(fetched: Pick<Fetched, 'setCookies'>): string[] {
  return fetched.setCookies.map((c) => parseSetCookie(c).name).sort();
}

/** A session cookie as the example configures it: sealed, HttpOnly, SameSite=Lax, Path=/, not Secure, not a removal. */
function expectSessionCookie(c: ParsedSetCookie | undefined): asserts c is ParsedSetCookie {
  expect(c, 'a sid Set-Cookie').toBeDefined();
  expect(c!.value).toMatch(/^Fe26\.2\*/);
  expect(c!.attributes.get('httponly')).toBe(true);
  expect(String(c!.attributes.get('samesite')).toLowerCase()).toBe('lax');
  expect(c!.attributes.get('path')).toBe('/');
  expect(c!.attributes.has('secure')).toBe(false);
  expect(isDeletion(c!)).toBe(false);
}

/** `client.fetch` and the body as JSON. */
async function json<T>(client: Client, path: string, method = 'GET'): Promise<{ fetched: Fetched; data: T }> {
  const fetched = await client.fetch(path, { method });
  expect(fetched.status, fetched.text).toBe(200);
  return { fetched, data: JSON.parse(fetched.text) as T };
}

describeConformance('next 16', () => ({ origin: app.url, base: '/conformance', cookie: 'sid', postHeaders: { origin: app.url } }));

describe('route handlers', () => {
  test('withSession counts across requests and commits without the handler calling commit()', async () => {
    const client = new Client(app.url);
    let previous = '';
    for (const expected of [1, 2, 3]) {
      const { fetched, data } = await json<{ count: number }>(client, '/api/count', 'POST');
      expect(data.count).toBe(expected);
      const sid = setCookie(fetched);
      expectSessionCookie(sid);
      expect(sid.value).not.toBe(previous);
      previous = sid.value;
    }
    expect(client.jar.names()).toEqual(['sid']);

    // Only reading: no cookie.
    const { fetched, data } = await json<State>(client, '/api/count');
    expect(data).toEqual({ count: 3, visitedViaMiddleware: 0 });
    expect(fetched.setCookies).toEqual([]);
  });

  test("handleSession(request, response) + commit() adds sid beside the route's own cookies (cookies.set and headers.append), one Set-Cookie per name", async () => {
    const client = new Client(app.url);
    await client.fetch('/api/count', { method: 'POST' });
    const { fetched, data } = await json<{ ok: boolean }>(client, '/api/raw', 'POST');
    expect(data).toEqual({ ok: true });
    expect(setCookieNames(fetched)).toEqual(['consent', 'sid', 'theme']);
    expect(setCookie(fetched, 'theme')?.value).toBe('dark');
    expect(setCookie(fetched, 'consent')?.value).toBe('yes');
    expectSessionCookie(setCookie(fetched));

    expect((await json<State>(client, '/api/count')).data.count).toBe(11);
  });

  test('a cookie sealed outside Next.js with the app secret is read; one sealed with another secret is refused and removed', async () => {
    const ours = new Client(app.url);
    ours.jar.put('sid', await mintCookie(SECRET, 41));
    expect((await json<{ count: number }>(ours, '/api/count', 'POST')).data.count).toBe(42);

    const foreign = new Client(app.url);
    foreign.jar.put('sid', await mintCookie(OTHER_SECRET, 41));
    const me = await foreign.fetch('/me');
    expect(me.status).toBe(200);
    expect(textById(me.text, 'invalid')).toBe('tampered');
    expect(textById(me.text, 'count')).toBe('0');
    const { fetched, data } = await json<State>(foreign, '/api/count');
    expect(data).toEqual({ count: 0, visitedViaMiddleware: 0 });
    const removal = setCookie(fetched);
    expect(removal && isDeletion(removal)).toBe(true);
    expect(foreign.jar.names()).toEqual([]);
  });

  test('a tampered sid gives an empty session everywhere, never a 500', async () => {
    const client = new Client(app.url);
    await client.fetch('/api/count', { method: 'POST' });
    await client.fetch('/api/count', { method: 'POST' });
    const good = client.jar.get('sid')!;
    const bad = tamper(good);
    expect(bad).not.toBe(good);

    // Server component: reads an empty session and says why (it cannot write cookies).
    client.jar.put('sid', bad);
    const me = await client.fetch('/me');
    expect(me.status).toBe(200);
    expect(textById(me.text, 'invalid')).toBe('tampered');
    expect(textById(me.text, 'user')).toBe('nobody');
    expect(textById(me.text, 'count')).toBe('0');

    // Route handler: empty state, and the bad cookie is removed.
    expect((await json<State>(client, '/api/count')).data).toEqual({ count: 0, visitedViaMiddleware: 0 });
    expect(client.jar.get('sid')).toBeUndefined();

    // Proxy: starts a fresh session in place of the bad one.
    client.jar.put('sid', bad);
    const mw = await client.fetch('/mw');
    expect(mw.status).toBe(200);
    expect(textById(mw.text, 'visits')).toBe('1');
    expectSessionCookie(setCookie(mw));
    expect((await json<State>(client, '/api/count')).data).toEqual({ count: 0, visitedViaMiddleware: 1 });
  });

  test('the edge-runtime route (WebCrypto engine) and the Node.js routes (node:crypto) read each other’s cookies', async () => {
    const client = new Client(app.url);
    expect((await json<{ count: number }>(client, '/api/count', 'POST')).data.count).toBe(1);
    const edge = await json<{ count: number; runtime: string }>(client, '/api/edge', 'POST');
    expect(edge.data).toEqual({ count: 2, runtime: 'edge' });
    expectSessionCookie(setCookie(edge.fetched));
    expect((await json<{ count: number }>(client, '/api/count', 'POST')).data.count).toBe(3);
  });
});

describe('cache headers', () => {
  test('a route handler response that sets the session cookie is private to its user: withSession and handleSession(request, NextResponse)', async () => {
    const client = new Client(app.url);
    for (const path of ['/api/count', '/api/raw', '/api/edge']) {
      const { fetched } = await json<object>(client, path, 'POST');
      expectSessionCookie(setCookie(fetched));
      expect(fetched.response.headers.get('cache-control'), path).toBe('private, no-cache');
      expect(fetched.response.headers.get('vary')?.split(/,\s*/), path).toContain('Cookie');
    }
    // Only reading: no cookie, and the headers are Next's own.
    const { fetched } = await json<object>(client, '/api/count');
    expect(fetched.setCookies).toEqual([]);
    expect(fetched.response.headers.get('cache-control')).toBeNull();
  });

  test("the proxy's Cache-Control reaches the page it wrote the cookie for; the Vary is the page's own (Next sets it)", async () => {
    const client = new Client(app.url);
    const page = await client.fetch('/mw');
    expectSessionCookie(setCookie(page));
    expect(page.response.headers.get('cache-control')).toBe('private, no-cache');
    expect(page.response.headers.get('vary')?.split(/,\s*/)).not.toContain('Cookie');
  });
});

describe('migration from iron-session (fromIronSession)', () => {
  test("a server component reads iron-session's cookie through await cookies()", async () => {
    const client = new Client(app.url);
    client.jar.put('myapp_session', await ironSessionCookie({ userId: 'carol', count: 7 }));
    client.jar.put('theme', 'dark');
    const me = await client.fetch('/me');
    expect(me.status).toBe(200);
    expect(textById(me.text, 'invalid')).toBe('none');
    expect(textById(me.text, 'user')).toBe('carol');
    expect(textById(me.text, 'count')).toBe('7');
  });

  test("a legacy-named cookie whose percent-decoded value holds '; sid=<seal>' does not load that seal in a server component", async () => {
    const client = new Client(app.url);
    // Tossed from a sibling subdomain: Next decodes it to `x; sid=<seal>`, a second cookie the browser never had.
    client.jar.put('myapp_session', `x${encodeURIComponent(`; sid=${await mintCookie(SECRET, 42)}`)}`);
    const me = await client.fetch('/me');
    expect(me.status).toBe(200);
    expect(textById(me.text, 'count')).toBe('0');
    expect(textById(me.text, 'session-id')).toBe('none');
  });
});

describe('proxy', () => {
  test('the session the proxy writes is what the page rendered for the same request reads', async () => {
    const client = new Client(app.url);
    await client.fetch('/api/count', { method: 'POST' });
    for (const expected of ['1', '2']) {
      const page = await client.fetch('/mw');
      expect(page.status).toBe(200);
      // The request carried one less: the page saw the proxy's write.
      expect(textById(page.text, 'visits')).toBe(expected);
      expectSessionCookie(setCookie(page));
    }
    expect((await json<State>(client, '/api/count')).data).toEqual({ count: 1, visitedViaMiddleware: 2 });
  });
});

describeBrowser('server actions, in Chromium', () => {
  let chromium: Chromium;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    chromium = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await chromium?.close();
  });

  /** A fresh browser profile (its own cookies) with one tab. */
  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await chromium.newContext();
    contexts.push(context);
    return { context, page: await context.newPage() };
  }

  /**
   * Click a form button on `/` and wait for the page its action redirects to:
   * returns the server action's response (the POST the click sends).
   */
  async function submit(page: Page, button: string, fill?: Record<string, string>): Promise<PageResponse> {
    await page.goto(`${app.url}/`);
    for (const [name, value] of Object.entries(fill ?? {})) await page.fill(`input[name="${name}"]`, value);
    const action = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/');
    await page.click(button);
    const response = await action;
    await page.waitForURL(`${app.url}/me`);
    await page.waitForSelector('#user');
    return response;
  }

  /** The Set-Cookie fields of a response, each separately, checked for one per name. */
  async function setCookiesOf(response: PageResponse): Promise<ParsedSetCookie[]> {
    const fields = (await response.headersArray()).filter((h) => h.name.toLowerCase() === 'set-cookie').map((h) => h.value);
    return expectOneSetCookiePerName(fields);
  }

  async function shown(page: Page, id: string): Promise<string | null> {
    return page.locator(`#${id}`).textContent();
  }

  test('sign-in renews the session id, keeps the state, and /me shows the user', async () => {
    const { context, page } = await newPage();
    const before = await page.request.post(`${app.url}/api/count`);
    expect(await before.json()).toEqual({ count: 1 });
    await page.goto(`${app.url}/me`);
    const oldId = await shown(page, 'session-id');
    expect(oldId).toMatch(/^[\w-]{16,}$/);
    expect(await shown(page, 'user')).toBe('nobody');

    const cookies = await setCookiesOf(await submit(page, '#sign-in', { userId: 'alice' }));
    expect(cookies.map((c) => c.name)).toEqual(['sid']);
    expectSessionCookie(cookies[0]);

    // The page the action redirected to, then a fresh load of it.
    expect(await shown(page, 'user')).toBe('alice');
    await page.reload();
    expect(await shown(page, 'user')).toBe('alice');
    expect(await shown(page, 'count')).toBe('1');
    const newId = await shown(page, 'session-id');
    expect(newId).toMatch(/^[\w-]{16,}$/);
    expect(newId).not.toBe(oldId);

    const [sid, ...others] = await context.cookies(app.url);
    expect(others).toEqual([]);
    expect(sid).toMatchObject({ name: 'sid', httpOnly: true, sameSite: 'Lax', path: '/', secure: false });
  });

  test("a server action converts iron-session's cookie: sid set, myapp_session deleted, the state kept", async () => {
    const { context, page } = await newPage();
    await context.addCookies([{ name: 'myapp_session', value: await ironSessionCookie({ userId: 'dave', count: 5 }), url: app.url }]);
    await page.goto(`${app.url}/me`);
    expect(await shown(page, 'user')).toBe('dave');

    const cookies = await setCookiesOf(await submit(page, '#sign-in', { userId: 'erin' }));
    expect(cookies.map((c) => c.name).sort()).toEqual(['myapp_session', 'sid']);
    expect(isDeletion(cookies.find((c) => c.name === 'myapp_session')!)).toBe(true);
    expectSessionCookie(cookies.find((c) => c.name === 'sid'));
    expect((await context.cookies(app.url)).map((c) => c.name)).toEqual(['sid']);
    await page.reload();
    expect(await shown(page, 'user')).toBe('erin');
    expect(await shown(page, 'count')).toBe('5');
  });

  test("a server action's response, which sets the cookie through Next's cookie store (no headers there), is made private by Next itself", async () => {
    const { page } = await newPage();
    const action = await submit(page, '#sign-in', { userId: 'frank' });
    expect((await setCookiesOf(action)).map((c) => c.name)).toEqual(['sid']);
    const cacheControl = (await action.headerValue('cache-control'))?.split(/,\s*/);
    expect(cacheControl).toEqual(expect.arrayContaining(['private', 'no-store']));
  });

  test('sign-out removes the cookie', async () => {
    const { context, page } = await newPage();
    await submit(page, '#sign-in', { userId: 'bob' });
    expect(await shown(page, 'user')).toBe('bob');
    expect((await context.cookies(app.url)).map((c) => c.name)).toEqual(['sid']);

    const cookies = await setCookiesOf(await submit(page, '#sign-out'));
    expect(cookies.map((c) => c.name)).toEqual(['sid']);
    expect(isDeletion(cookies[0]!)).toBe(true);
    expect(cookies[0]!.attributes.get('path')).toBe('/');
    expect(await shown(page, 'user')).toBe('nobody');
    expect(await context.cookies(app.url)).toEqual([]);
    await page.reload();
    expect(await shown(page, 'user')).toBe('nobody');
    expect(await shown(page, 'session-id')).toBe('none');
  });
});
