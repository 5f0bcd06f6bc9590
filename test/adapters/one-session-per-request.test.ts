/**
 * One request gets one session on every adapter: a second `handleSession`
 * call in the same request (a helper, then the route; a middleware, then the
 * handler) returns the same object, so the second commit cannot write a
 * stale copy's state over the first's change. Keyed by the response on
 * node:http, by the `Request` object on the Fetch API, by the cookie store
 * on Next.js (what `await cookies()` returns within one request: checked
 * with Next's own `cookies()` in its own request scope).
 */
import { createServer } from 'node:http';
import { afterEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type CookieStoreLike } from '../../src/index';
import { expectOneSetCookiePerName, listen, type Listening } from '../helpers/jar';
import { cookies, inNextRequest } from './next-request-scope';

const schema = z.object({ cart: z.array(z.string()).default([]), user: z.string().optional() });
const store = new CookieSessionStore({ keys: 'one-session-per-request-secret-0123456789abcd', schema, cookie: { secure: false } });
const other = new CookieSessionStore({ keys: 'one-session-per-request-secret-0123456789abcd', schema, cookie: { name: 'other', secure: false } });

/** The state the one session Set-Cookie opens to. */
async function stateOf(values: readonly string[]): Promise<object> {
  const [cookie, ...more] = expectOneSetCookiePerName(values).filter((c) => c.name === 'session');
  expect(more).toEqual([]);
  return { ...(await store.load(`session=${cookie!.value}`)).data };
}

describe('Fetch API: the same Request', () => {
  test('handleSession(request) twice gives the same session; both changes reach the response', async () => {
    const request = new Request('http://127.0.0.1/');
    const headers = new Headers();
    const helper = await store.handleSession(request, headers);
    const route = await store.handleSession(request);
    expect(route).toBe(helper);
    helper.set('user', 'ada');
    await helper.commit();
    route.set('cart', [...route.get('cart'), 'book']);
    await route.commit();
    expect(await stateOf(headers.getSetCookie())).toEqual({ user: 'ada', cart: ['book'] });
  });

  test('a later call with a response adds it: the next commit writes there too', async () => {
    const request = new Request('http://127.0.0.1/');
    const first = await store.fetch(request);
    first.set('user', 'ada');
    const response = new Response('ok');
    const second = await store.fetch(request, response);
    expect(second).toBe(first);
    await second.commit();
    expect(await stateOf(response.headers.getSetCookie())).toEqual({ user: 'ada', cart: [] });
  });

  test('another Request gets its own session, and another store its own', async () => {
    const request = new Request('http://127.0.0.1/');
    const session = await store.fetch(request);
    expect(await store.fetch(new Request('http://127.0.0.1/'))).not.toBe(session);
    expect(await other.fetch(request)).not.toBe(session);
  });

  test('two calls racing while the session loads asynchronously (WebCrypto) still get one session', async () => {
    const webcrypto = new CookieSessionStore({ keys: 'one-session-per-request-secret-0123456789abcd', schema, crypto: 'webcrypto' });
    const seed = await webcrypto.load(undefined);
    seed.set('user', 'ada');
    const [cookie] = await seed.commit();
    const request = new Request('http://127.0.0.1/', { headers: { cookie: cookie!.split(';')[0]! } });
    const [a, b] = await Promise.all([webcrypto.fetch(request), webcrypto.fetch(request)]);
    expect(a).toBe(b);
    expect(a.get('user')).toBe('ada');
  });

  test("withSession and the handler's own handleSession(request) share the session: the handler's change is committed on the response", async () => {
    let same: boolean | undefined;
    const handler = store.withSession(async (request: Request, session) => {
      const again = await store.handleSession(request);
      same = again === session;
      session.set('user', 'ada');
      again.set('cart', ['book']);
      return new Response('ok');
    });
    const response = await handler(new Request('http://127.0.0.1/'));
    expect(same).toBe(true);
    expect(await stateOf(response.headers.getSetCookie())).toEqual({ user: 'ada', cart: ['book'] });
  });

  test('a frozen Request cannot hold its session: each call loads its own, as before', async () => {
    const request = Object.freeze(new Request('http://127.0.0.1/'));
    expect(await store.fetch(request)).not.toBe(await store.fetch(request));
  });
});

describe("Next.js: the same cookie store (Next's own cookies() in its request scope)", () => {
  test('await cookies() twice in one action is one object, and handleSession of it one session: both changes are sent', async () => {
    const { result, sent } = await inNextRequest(undefined, async () => {
      const first = await store.handleSession((await cookies()) as unknown as CookieStoreLike);
      const second = await store.handleSession((await cookies()) as unknown as CookieStoreLike);
      first.set('user', 'ada');
      await first.commit();
      second.set('cart', [...second.get('cart'), 'book']);
      await second.commit();
      return first === second;
    });
    expect(result).toBe(true);
    expect(await stateOf(sent)).toEqual({ user: 'ada', cart: ['book'] });
  });

  test('another request (another scope) gets its own session', async () => {
    const sessions: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      await inNextRequest(undefined, async () => {
        sessions.push(await store.next((await cookies()) as unknown as CookieStoreLike));
      });
    }
    expect(sessions[0]).not.toBe(sessions[1]);
  });
});

describe('node:http: the same response', () => {
  let server: Listening | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  test('handleSession(req, res) twice gives the same session; both changes reach the response', async () => {
    let same: boolean | undefined;
    server = await listen(
      createServer(async (req, res) => {
        const helper = await store.handleSession(req, res);
        const route = await store.handleSession(req, res);
        same = helper === route;
        helper.set('user', 'ada');
        await helper.commit();
        route.set('cart', ['book']);
        res.end();
      }),
    );
    const response = await fetch(server.origin);
    expect(same).toBe(true);
    expect(await stateOf(response.headers.getSetCookie())).toEqual({ user: 'ada', cart: ['book'] });
  });
});
