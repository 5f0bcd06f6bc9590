/**
 * Fastify 5 on a real server: an onRequest hook puts
 * `await store.handleSession(request.raw, reply.raw)` on `request.session`.
 * Fastify writes its headers in one `writeHead(status, headers)` call, with
 * its own Set-Cookie values (from `reply.header`) in that object: the session
 * cookie must survive next to them whether the route committed explicitly,
 * auto-committed at writeHead, or destroyed the session.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appStore, expectBadLoginLeavesSession, jsonPost, me, type AppSession, type Me } from './framework-app';
import { Client, expectOneSetCookiePerName, isDeletion, parseSetCookie } from '../helpers/jar';

const store = appStore('fastify-adapter-test-secret-0123456789abcdefgh');

/** `request` after the onRequest hook. Cast locally rather than augmenting Fastify's global types. */
const sessionOf = (request: FastifyRequest) => (request as FastifyRequest & { session: AppSession }).session;

function buildApp(): FastifyInstance {
  const app = Fastify();
  app.decorateRequest('session', null);
  app.addHook('onRequest', async (request, reply) => {
    (request as FastifyRequest & { session: AppSession }).session = await store.handleSession(request.raw, reply.raw);
  });
  app.get('/me', async (request) => me(sessionOf(request)));
  app.post<{ Body: { name?: string } }>('/login', async (request, reply) => {
    const name = request.body?.name?.trim() ?? '';
    if (!name) return reply.code(400).send({ error: 'name required' });
    const session = sessionOf(request);
    session.renew();
    session.set('user', name);
    await session.commit();
    return reply.redirect('/me', 303);
  });
  // No commit: Fastify's writeHead commits.
  app.post('/count', async (request) => {
    const session = sessionOf(request);
    session.set('count', session.get('count') + 1);
    return me(session);
  });
  // Fastify's own cookies, set before and after an explicit commit, reach writeHead in its headers object.
  app.post('/theme', async (request, reply) => {
    const session = sessionOf(request);
    reply.header('set-cookie', 'theme=dark; Path=/');
    session.set('count', session.get('count') + 1);
    await session.commit();
    reply.header('set-cookie', 'lang=en; Path=/');
    return me(session);
  });
  // The same without an explicit commit.
  app.post('/theme-auto', async (request, reply) => {
    const session = sessionOf(request);
    reply.header('set-cookie', ['theme=light; Path=/', 'lang=fr; Path=/']);
    session.set('count', session.get('count') + 1);
    return me(session);
  });
  app.post('/logout', async (request, reply) => {
    sessionOf(request).destroy();
    reply.header('set-cookie', 'theme=; Path=/; Max-Age=0');
    return reply.redirect('/me', 303);
  });
  return app;
}

let app: FastifyInstance;
let origin: string;

beforeAll(async () => {
  app = buildApp();
  origin = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(() => app.close());


describe('Fastify 5 with request.session from handleSession', () => {
  test('sign in, count, sign out', async () => {
    const c = new Client(origin);
    const anonymous = await c.json<Me>('/me');
    expect(anonymous).toMatchObject({ user: null, count: 0, isNew: true });
    expect(anonymous.setCookies).toEqual([]);

    await c.fetch('/count', { method: 'POST' });
    const before = await c.json<Me>('/me');
    expect(before).toMatchObject({ user: null, count: 1, isNew: false });

    const login = await c.fetch('/login', jsonPost({ name: 'Ada' }));
    expect(login.status).toBe(303);
    expect(login.response.headers.get('location')).toBe('/me');
    const [cookie] = expectOneSetCookiePerName(login.setCookies);
    expect(cookie?.name).toBe('__Host-app');
    expect(cookie?.attributes.get('secure')).toBe(true);

    const after = await c.json<Me>('/me');
    expect(after).toMatchObject({ user: 'Ada', count: 1, isNew: false });
    expect(after.id).not.toBe(before.id);

    for (let i = 0; i < 3; i++) await c.fetch('/count', { method: 'POST' });
    expect(await c.json<Me>('/me')).toMatchObject({ user: 'Ada', count: 4 });

    const logout = await c.fetch('/logout', { method: 'POST' });
    expect(logout.status).toBe(303);
    expect(expectOneSetCookiePerName(logout.setCookies).filter(isDeletion).map((p) => p.name).sort()).toEqual(['__Host-app', 'theme']);
    expect(c.jar.names()).toEqual([]);
    expect(await c.json<Me>('/me')).toMatchObject({ user: null, count: 0, isNew: true });
  });

  test('a bad body is answered by the app, and leaves the session alone', () => expectBadLoginLeavesSession(origin, jsonPost({ name: '   ' })));

  test("reply.header('set-cookie') before and after commit() keeps Fastify's cookies and ours", async () => {
    const c = new Client(origin);
    const { setCookies, status } = await c.fetch('/theme', { method: 'POST' });
    expect(status).toBe(200);
    expect(expectOneSetCookiePerName(setCookies).map((p) => p.name).sort()).toEqual(['__Host-app', 'lang', 'theme']);
    expect(parseSetCookie(setCookies.find((v) => v.startsWith('theme='))!).value).toBe('dark');
    expect(await c.json<Me>('/me')).toMatchObject({ count: 1 });
  });

  test("reply.header('set-cookie', [...]) with the commit left to writeHead keeps both", async () => {
    const c = new Client(origin);
    const { setCookies } = await c.fetch('/theme-auto', { method: 'POST' });
    expect(expectOneSetCookiePerName(setCookies).map((p) => p.name).sort()).toEqual(['__Host-app', 'lang', 'theme']);
    expect(await c.json<Me>('/me')).toMatchObject({ count: 1 });
  });
});
