/**
 * Cache safety on the real frameworks: a response that carries the
 * session's Set-Cookie is private to its user (`Cache-Control` made private,
 * `private, no-cache` when the app set none, `Vary: Cookie` added once); a
 * response without one keeps the app's cache headers.
 */
import { createServer } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import express, { type Request } from 'express';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { H3 } from 'h3';
import { toNodeHandler } from 'h3/node';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type Session, type SessionWarning } from '../../src/index';
import { sessionMiddleware as expressSessions } from '../../src/integrations/express';
import { sealedSession as fastifySessions } from '../../src/integrations/fastify';
import { sealedSession as h3Sessions, useSealedSession } from '../../src/integrations/h3';
import { sessionMiddleware as honoSessions, type SessionEnv } from '../../src/integrations/hono';
import { listen, type Listening } from '../helpers/jar';

const warnings: SessionWarning[] = [];
const store = new CookieSessionStore({
  keys: 'integration-cache-headers-secret-0123456789abcdef',
  schema: z.object({ user: z.string().optional() }),
  cookie: { secure: false },
  onWarning: (w) => warnings.push(w),
});
type S = Session<{ user?: string | undefined }>;
beforeEach(() => {
  warnings.length = 0;
});

/**
 * Routes of every app:
 * - `/sign-in`: sets the session (implicit commit), no cache headers of its own;
 * - `/public-sign-in`: sets the session, with `Cache-Control: public, max-age=600` and `Vary: Accept-Encoding`;
 * - `/public-page`: reads the session only, with `Cache-Control: public, max-age=600`.
 */
const PUBLIC = 'public, max-age=600';
const origins: Record<string, string> = {};
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const sessions = expressSessions(store);
  const app = express();
  app.use(sessions);
  const es = (req: Request): S => sessions.of(req);
  app.get('/sign-in', (req, res) => {
    es(req).set('user', 'ada');
    res.json({ ok: true });
  });
  app.get('/public-sign-in', (req, res) => {
    es(req).set('user', 'ada');
    res.set('Cache-Control', PUBLIC).set('Vary', 'Accept-Encoding').json({ ok: true });
  });
  app.get('/public-page', (req, res) => {
    es(req).get('user');
    res.set('Cache-Control', PUBLIC).json({ ok: true });
  });
  const expressServer: Listening = await listen(createServer(app));
  origins.express = expressServer.origin;
  closers.push(() => expressServer.close());

  const fastify: FastifyInstance = Fastify();
  await fastify.register(fastifySessions, { store });
  const fs = (request: FastifyRequest) => (request as FastifyRequest & { session: S }).session;
  fastify.get('/sign-in', async (request) => {
    fs(request).set('user', 'ada');
    return { ok: true };
  });
  fastify.get('/public-sign-in', async (request, reply) => {
    fs(request).set('user', 'ada');
    return reply.header('cache-control', PUBLIC).header('vary', 'Accept-Encoding').send({ ok: true });
  });
  fastify.get('/public-page', async (request, reply) => {
    fs(request).get('user');
    return reply.header('cache-control', PUBLIC).send({ ok: true });
  });
  origins.fastify = await fastify.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => fastify.close());

  const hono = new Hono<SessionEnv<typeof store>>();
  hono.use(honoSessions(store));
  hono.get('/sign-in', (c) => {
    c.var.session.set('user', 'ada');
    return c.json({ ok: true });
  });
  hono.get('/public-sign-in', (c) => {
    c.var.session.set('user', 'ada');
    c.header('cache-control', PUBLIC);
    c.header('vary', 'Accept-Encoding');
    return c.json({ ok: true });
  });
  hono.get('/public-page', (c) => {
    c.var.session.get('user');
    c.header('cache-control', PUBLIC);
    return c.json({ ok: true });
  });
  const honoServer: ServerType = await new Promise((resolve) => {
    const server = serve({ fetch: hono.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      origins.hono = `http://127.0.0.1:${info.port}`;
      resolve(server);
    });
  });
  closers.push(() => new Promise((resolve) => honoServer.close(() => resolve())));

  const h3 = new H3();
  h3.use(h3Sessions(store));
  const hs = (event: Parameters<typeof useSealedSession>[0]) => useSealedSession(event, store) as Promise<S>;
  h3.get('/sign-in', async (event) => {
    (await hs(event)).set('user', 'ada');
    return { ok: true };
  });
  h3.get('/public-sign-in', async (event) => {
    event.res.headers.set('cache-control', PUBLIC);
    event.res.headers.set('vary', 'Accept-Encoding');
    (await hs(event)).set('user', 'ada');
    return { ok: true };
  });
  h3.get('/public-page', async (event) => {
    (await hs(event)).get('user');
    event.res.headers.set('cache-control', PUBLIC);
    return { ok: true };
  });
  const h3Server = await listen(createServer(toNodeHandler(h3)));
  origins.h3 = h3Server.origin;
  closers.push(() => h3Server.close());
});

afterAll(async () => {
  for (const close of closers) await close();
});

const headersOf = (r: Response) => ({ cacheControl: r.headers.get('cache-control'), vary: r.headers.get('vary'), cookies: r.headers.getSetCookie().length });

describe.each(['express', 'fastify', 'hono', 'h3'])('%s', (framework) => {
  test('a response that sets the session cookie, with no cache headers of its own: private, no-cache; Vary: Cookie', async () => {
    expect(headersOf(await fetch(`${origins[framework]}/sign-in`))).toEqual({ cacheControl: 'private, no-cache', vary: 'Cookie', cookies: 1 });
  });

  test("a response that sets the session cookie with Cache-Control: public: made private, Vary merged, reported", async () => {
    expect(headersOf(await fetch(`${origins[framework]}/public-sign-in`))).toEqual({ cacheControl: 'private, max-age=600', vary: 'Accept-Encoding, Cookie', cookies: 1 });
    expect(warnings.map((w) => w.code)).toEqual(['public-cache']);
  });

  test('a response without a session cookie keeps its public cache headers', async () => {
    expect(headersOf(await fetch(`${origins[framework]}/public-page`))).toEqual({ cacheControl: PUBLIC, vary: null, cookies: 0 });
  });
});
