/**
 * Hono 4 served by @hono/node-server on a real port. A middleware loads the
 * session from the Web Request (`handleSession(c.req.raw)`), puts it on
 * `c.var.session`, and appends what `commit()` returns after the handler ran,
 * so Hono's own cookies (`setCookie`) and ours share the response, including
 * responses whose headers are immutable (`Response.redirect`).
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appStore, expectBadLoginLeavesSession, jsonPost, me, type AppSession, type Me } from './framework-app';
import { Client, expectOneSetCookiePerName, isDeletion } from '../helpers/jar';

const store = appStore('hono-adapter-test-secret-0123456789abcdefghijk');

function buildApp(): Hono<{ Variables: { session: AppSession } }> {
  const app = new Hono<{ Variables: { session: AppSession } }>();
  app.use(async (c, next) => {
    const session = await store.handleSession(c.req.raw);
    c.set('session', session);
    await next();
    for (const cookie of await session.commit()) c.header('Set-Cookie', cookie, { append: true });
  });
  app.get('/me', (c) => c.json(me(c.var.session)));
  app.post('/login', async (c) => {
    const { name } = await c.req.json<{ name?: string }>();
    if (!name?.trim()) return c.json({ error: 'name required' }, 400);
    c.var.session.renew();
    c.var.session.set('user', name.trim());
    return c.redirect('/me', 303);
  });
  app.post('/count', (c) => {
    c.var.session.set('count', c.var.session.get('count') + 1);
    setCookie(c, 'theme', 'dark', { path: '/' });
    return c.json(me(c.var.session));
  });
  // A Response the handler made itself, with immutable headers.
  app.post('/logout', (c) => {
    c.var.session.destroy();
    return Response.redirect(new URL('/me', c.req.url), 303);
  });
  return app;
}

let server: ServerType;
let origin: string;

beforeAll(async () => {
  origin = await new Promise<string>((resolve) => {
    server = serve({ fetch: buildApp().fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(`http://127.0.0.1:${info.port}`));
  });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));


describe('Hono 4 with c.var.session from handleSession(c.req.raw)', () => {
  test('sign in, count (next to Hono\'s own cookie), sign out through an immutable Response', async () => {
    const c = new Client(origin);
    const anonymous = await c.json<Me>('/me');
    expect(anonymous).toMatchObject({ user: null, count: 0, isNew: true });
    expect(anonymous.setCookies).toEqual([]);

    const counted = await c.fetch('/count', { method: 'POST' });
    expect(expectOneSetCookiePerName(counted.setCookies).map((p) => p.name).sort()).toEqual(['__Host-app', 'theme']);
    const before = await c.json<Me>('/me');
    expect(before).toMatchObject({ user: null, count: 1, isNew: false });

    const login = await c.fetch('/login', jsonPost({ name: 'Ada' }));
    expect(login.status).toBe(303);
    expect(expectOneSetCookiePerName(login.setCookies).map((p) => p.name)).toEqual(['__Host-app']);
    const after = await c.json<Me>('/me');
    expect(after).toMatchObject({ user: 'Ada', count: 1, isNew: false });
    expect(after.id).not.toBe(before.id);

    const logout = await c.fetch('/logout', { method: 'POST' });
    expect(logout.status).toBe(303);
    expect(expectOneSetCookiePerName(logout.setCookies).filter(isDeletion).map((p) => p.name)).toEqual(['__Host-app']);
    expect(c.jar.names()).toEqual(['theme']);
    expect(await c.json<Me>('/me')).toMatchObject({ user: null, count: 0, isNew: true });
  });

  test('a bad body is answered by the app, and leaves the session alone', () => expectBadLoginLeavesSession(origin, jsonPost({ name: '  ' })));
});
