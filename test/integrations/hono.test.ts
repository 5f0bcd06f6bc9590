/**
 * `sealed-session/hono` on Hono 4 served by @hono/node-server on a real
 * port: the conformance checklist, then what Hono adds: immutable responses
 * (`Response.redirect`), a streamed body, a sub-app with its own middleware,
 * the default path of a commit error (the app's `app.onError`), and the
 * handler's headers kept off the error response.
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { stream } from 'hono/streaming';
import { afterAll, beforeAll, describe, expect, expectTypeOf, test } from 'vitest';
import { sessionMiddleware, type SessionEnv } from '../../src/integrations/hono';
import { Client, expectOneSetCookiePerName } from '../helpers/jar';
import { CONFORMANCE_COOKIE, OVERSIZE_NOTE, conformanceStore, describeConformance, errorResponseOf, readOf, type ConformanceSession } from './conformance';

const store = conformanceStore();

function conformanceApp(): Hono<SessionEnv<typeof store>> {
  const app = new Hono<SessionEnv<typeof store>>();
  app.use(
    sessionMiddleware(store, {
      onError: (err, c) => {
        const { status, body } = errorResponseOf(err);
        return c.json(body, status as 413);
      },
    }),
  );
  app.get('/read', (c) => c.json(readOf(c.var.session)));
  app.post('/write', (c) => {
    c.var.session.set('count', c.var.session.get('count') + 1);
    return c.json(readOf(c.var.session));
  });
  app.post('/commit', async (c) => {
    const session = c.var.session;
    session.set('count', session.get('count') + 1);
    await session.commit();
    session.set('note', 'second');
    setCookie(c, 'app', '1', { path: '/' });
    return c.json(readOf(session));
  });
  app.post('/renew', (c) => {
    c.var.session.renew();
    return c.json(readOf(c.var.session));
  });
  app.post('/destroy', (c) => {
    c.var.session.destroy();
    return c.json(readOf(c.var.session));
  });
  app.post('/flash', (c) => {
    c.var.session.flash('notice', 'saved');
    return c.redirect('/flash', 303);
  });
  app.get('/flash', (c) => c.json({ notice: c.var.session.takeFlash<string>('notice') ?? null }));
  app.post('/oversize', (c) => {
    c.var.session.set('note', OVERSIZE_NOTE);
    return c.json(readOf(c.var.session));
  });
  // A second middleware of the same store on this route: it shares the first's session and leaves the commit to it.
  app.get('/twice', sessionMiddleware(store), (c) => {
    const first = c.var.session;
    const second = c.get('session');
    second.set('count', first.get('count') + 1);
    return c.json({ same: first === second, ...readOf(first) });
  });
  app.post('/redirect-immutable', (c) => {
    c.var.session.set('note', 'immutable');
    return Response.redirect(new URL('/read', c.req.url), 303);
  });
  app.post('/stream', (c) => {
    c.var.session.set('note', 'streamed');
    return stream(c, async (s) => {
      await s.write('a');
      await s.write('b');
    });
  });
  const sub = new Hono<SessionEnv<typeof store>>();
  sub.use(sessionMiddleware(store));
  sub.post('/write', (c) => {
    c.var.session.set('count', c.var.session.get('count') + 1);
    return c.json(readOf(c.var.session));
  });
  app.route('/sub', sub);
  return app;
}

/** No onError: the commit error goes to the app's onError. */
function defaultApp(): Hono<SessionEnv<typeof store>> {
  const app = new Hono<SessionEnv<typeof store>>();
  app.use(sessionMiddleware(store));
  app.post('/oversize', (c) => {
    c.var.session.set('note', OVERSIZE_NOTE);
    setCookie(c, 'app', '1', { path: '/' });
    return c.redirect('/elsewhere', 303);
  });
  app.onError((err, c) => c.json({ caught: (err as { code?: string }).code }, 418));
  return app;
}

function start(app: Hono<any>): Promise<{ server: ServerType; origin: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve({ server, origin: `http://127.0.0.1:${info.port}` }));
  });
}
const stop = (server: ServerType) => new Promise<void>((resolve) => server.close(() => resolve()));

let main: { server: ServerType; origin: string };
let plain: { server: ServerType; origin: string };
beforeAll(async () => {
  main = await start(conformanceApp());
  plain = await start(defaultApp());
});
afterAll(async () => {
  await stop(main.server);
  await stop(plain.server);
});

describeConformance('hono', () => ({ origin: main.origin }));

const post = (c: Client, path: string) => c.fetch(path, { method: 'POST' });

describe('sealed-session/hono beyond the checklist', () => {
  test('c.var.session is typed from the store schema', () => {
    const app = new Hono<SessionEnv<typeof store>>();
    app.get('/', (c) => {
      expectTypeOf(c.var.session).toEqualTypeOf<ConformanceSession>();
      expectTypeOf(c.var.session.get('count')).toEqualTypeOf<number>();
      // @ts-expect-error: count is a number
      c.var.session.set('count', 'one');
      return c.text('');
    });
    // Without declaring the Env, the middleware's own type carries the variable.
    new Hono().use(sessionMiddleware(store)).get('/', (c) => {
      expectTypeOf(c.var.session.get('count')).toEqualTypeOf<number>();
      return c.text('');
    });
  });

  test('Response.redirect (immutable headers) carries the cookie', async () => {
    const c = new Client(main.origin);
    const r = await post(c, '/redirect-immutable');
    expect(r.status).toBe(303);
    expect(expectOneSetCookiePerName(r.setCookies).map((p) => p.name)).toEqual([CONFORMANCE_COOKIE]);
    expect(JSON.parse((await c.fetch('/read')).text)).toMatchObject({ note: 'immutable' });
  });

  test('a streamed body carries the cookie in its headers', async () => {
    const c = new Client(main.origin);
    const r = await post(c, '/stream');
    expect(r.text).toBe('ab');
    expect(JSON.parse((await c.fetch('/read')).text)).toMatchObject({ note: 'streamed' });
  });

  test('a sub-app with its own middleware shares the session: one Set-Cookie', async () => {
    const c = new Client(main.origin);
    const r = await post(c, '/sub/write');
    expect(expectOneSetCookiePerName(r.setCookies).map((p) => p.name)).toEqual([CONFORMANCE_COOKIE]);
    expect(JSON.parse((await post(c, '/sub/write')).text)).toMatchObject({ count: 2 });
  });

  test('without onError, a commit error reaches app.onError; its response has no session cookie', async () => {
    const c = new Client(plain.origin);
    const r = await post(c, '/oversize');
    expect(r.status).toBe(418);
    expect(JSON.parse(r.text)).toEqual({ caught: 'ERR_SESSION_TOO_LARGE' });
    // What the handler gave c.header/setCookie/c.redirect is in Hono's prepared headers, which Hono puts on
    // every response it builds for the request, app.onError's too: the app's cookie is there, ours is not.
    expect(expectOneSetCookiePerName(r.setCookies).map((p) => p.name)).toEqual(['app']);
  });
});
