/**
 * `sealed-session/fastify` on Fastify 5 on a real port: the conformance
 * checklist, then what Fastify adds: @fastify/cookie's `reply.setCookie` and
 * `reply.header('set-cookie', …)` next to ours (one per name), streams,
 * encapsulation (root vs. a scoped registration), the default error handler,
 * and `reply.hijack()` with raw writes.
 */
import { Readable } from 'node:stream';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sealedSession } from '../../src/integrations/fastify';
import { Client, expectOneSetCookiePerName } from '../helpers/jar';
import { CONFORMANCE_COOKIE, OVERSIZE_NOTE, conformanceStore, describeConformance, errorResponseOf, readOf, type ConformanceSession } from './conformance';

const store = conformanceStore();

/** `request.session`; the app would declare it once with declaration merging (docs/integrations/fastify.md, type-checked there). */
const s = (request: FastifyRequest) => (request as FastifyRequest & { session: ConformanceSession }).session;

async function buildApp(): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(cookie);
  await app.register(sealedSession, { store });
  app.setErrorHandler((err, _request, reply) => {
    const { status, body } = errorResponseOf(err);
    return reply.code(status).send(body);
  });
  app.get('/read', async (request) => readOf(s(request)));
  app.post('/write', async (request) => {
    s(request).set('count', s(request).get('count') + 1);
    return readOf(s(request));
  });
  app.post('/commit', async (request, reply) => {
    const session = s(request);
    session.set('count', session.get('count') + 1);
    await session.commit();
    session.set('note', 'second');
    reply.setCookie('app', '1', { path: '/' });
    return readOf(session);
  });
  app.post('/renew', async (request) => {
    s(request).renew();
    return readOf(s(request));
  });
  app.post('/destroy', async (request) => {
    s(request).destroy();
    return readOf(s(request));
  });
  app.post('/flash', async (request, reply) => {
    s(request).flash('notice', 'saved');
    return reply.redirect('/flash', 303);
  });
  app.get('/flash', async (request) => ({ notice: s(request).takeFlash<string>('notice') ?? null }));
  app.post('/oversize', async (request, reply) => {
    s(request).set('note', OVERSIZE_NOTE);
    reply.setCookie('app', 'not-sent', { path: '/' });
    return readOf(s(request));
  });
  app.get('/twice', async (request, reply) => {
    const first = s(request);
    const second = await store.handleSession(request.raw, reply.raw);
    second.set('count', first.get('count') + 1);
    return { same: first === second, ...readOf(first) };
  });
  // Both cookie APIs, and a value set through reply.header before and after an explicit commit.
  app.post('/cookies', async (request, reply) => {
    reply.header('set-cookie', 'raw=1; Path=/');
    reply.setCookie('jar', '2', { path: '/' });
    s(request).set('count', s(request).get('count') + 1);
    await s(request).commit();
    reply.header('set-cookie', 'late=3; Path=/');
    return readOf(s(request));
  });
  app.post('/stream', async (request, reply) => {
    s(request).set('note', 'streamed');
    return reply.type('text/plain').send(Readable.from(['a', 'b', 'c']));
  });
  app.post('/hijack', async (request, reply) => {
    s(request).set('note', 'hijacked');
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/plain' });
    reply.raw.end('raw');
  });
  // Encapsulation: a scoped registration, and a sibling without one.
  await app.register(async (scoped) => {
    const other = conformanceStore();
    await scoped.register(sealedSession, { store: other });
    scoped.post('/scoped/write', async (request) => {
      s(request).set('count', s(request).get('count') + 1);
      return readOf(s(request));
    });
  });
  return app;
}

let app: FastifyInstance;
let origin: string;
let bare: FastifyInstance;
let bareOrigin: string;

beforeAll(async () => {
  app = await buildApp();
  origin = await app.listen({ port: 0, host: '127.0.0.1' });
  // Scoped only, and Fastify's default error handler.
  bare = Fastify();
  await bare.register(async (scoped) => {
    await scoped.register(sealedSession, { store });
    scoped.post('/in/write', async (request) => {
      s(request).set('count', s(request).get('count') + 1);
      return readOf(s(request));
    });
    scoped.post('/in/oversize', async (request) => {
      s(request).set('note', OVERSIZE_NOTE);
      return readOf(s(request));
    });
  });
  bare.post('/out', async (request) => ({ session: (request as FastifyRequest & { session?: unknown }).session ?? null }));
  bareOrigin = await bare.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app.close();
  await bare.close();
});

describeConformance('fastify', () => ({ origin }));

const post = (c: Client, path: string) => c.fetch(path, { method: 'POST' });

describe('sealed-session/fastify beyond the checklist', () => {
  test("reply.header('set-cookie') and @fastify/cookie's setCookie next to ours: one Set-Cookie per name", async () => {
    const c = new Client(origin);
    const r = await post(c, '/cookies');
    expect(r.status).toBe(200);
    expect(expectOneSetCookiePerName(r.setCookies).map((p) => p.name).sort()).toEqual([CONFORMANCE_COOKIE, 'jar', 'late', 'raw']);
    expect(JSON.parse((await c.fetch('/read')).text)).toMatchObject({ count: 1 });
  });

  test("the oversize error reply: no session cookie; the route's own cookie stays, as Fastify keeps a reply's headers for its error reply", async () => {
    const c = new Client(origin);
    const r = await post(c, '/oversize');
    expect(r.status).toBe(413);
    expect(expectOneSetCookiePerName(r.setCookies).map((p) => p.name)).toEqual(['app']);
  });

  test('a streamed reply', async () => {
    const c = new Client(origin);
    const r = await post(c, '/stream');
    expect(r.text).toBe('abc');
    expect(JSON.parse((await c.fetch('/read')).text)).toMatchObject({ note: 'streamed' });
  });

  test('reply.hijack() with raw writes: committed when the raw headers are written', async () => {
    const c = new Client(origin);
    const r = await post(c, '/hijack');
    expect(r.text).toBe('raw');
    expect(JSON.parse((await c.fetch('/read')).text)).toMatchObject({ note: 'hijacked' });
  });

  test('registered in a child context too (another store, same cookie name): the inner registration owns that scope', async () => {
    const c = new Client(origin);
    const r = await post(c, '/scoped/write');
    expect(expectOneSetCookiePerName(r.setCookies).map((p) => p.name)).toEqual([CONFORMANCE_COOKIE]);
    expect(JSON.parse((await post(c, '/scoped/write')).text)).toMatchObject({ count: 2 });
  });

  test('scoped registration: routes outside the plugin have no session and get no cookie', async () => {
    const c = new Client(bareOrigin);
    expect(JSON.parse((await post(c, '/in/write')).text)).toMatchObject({ count: 1 });
    const out = await post(c, '/out');
    expect(JSON.parse(out.text)).toEqual({ session: null });
    expect(out.setCookies).toEqual([]);
  });

  test("Fastify's default error handler: a 500 with the error's code, no session cookie", async () => {
    const c = new Client(bareOrigin);
    const r = await post(c, '/in/oversize');
    expect(r.status).toBe(500);
    expect(JSON.parse(r.text)).toMatchObject({ code: 'ERR_SESSION_TOO_LARGE' });
    expect(r.setCookies).toEqual([]);
  });

  test('@fastify/cookie registered after the plugin: one Set-Cookie per name, the latest session state', async () => {
    const late = Fastify();
    await late.register(sealedSession, { store });
    await late.register(cookie);
    late.post('/commit', async (request, reply) => {
      s(request).set('count', 1);
      await s(request).commit();
      s(request).set('note', 'second');
      reply.setCookie('app', '1', { path: '/' });
      return readOf(s(request));
    });
    late.get('/read', async (request) => readOf(s(request)));
    const lateOrigin = await late.listen({ port: 0, host: '127.0.0.1' });
    try {
      const c = new Client(lateOrigin);
      const r = await post(c, '/commit');
      expect(expectOneSetCookiePerName(r.setCookies).map((p) => p.name).sort()).toEqual(['app', CONFORMANCE_COOKIE]);
      expect(JSON.parse((await c.fetch('/read')).text)).toMatchObject({ count: 1, note: 'second' });
    } finally {
      await late.close();
    }
  });

  test('register without a store fails at start-up with what to pass', async () => {
    const broken = Fastify();
    await expect(broken.register(sealedSession, {} as never).ready()).rejects.toThrow(/needs the CookieSessionStore as `store`/);
  });
});
