/**
 * A failed route does not commit its half-done change. On Express, Fastify
 * and Hono (and h3, withSession, node:http's writeHead) a route that changes
 * the session and then throws gets the framework's error response without
 * the change: the client keeps its previous cookie. A commit the route ran
 * itself before failing stays. The signal: the handler threw, where the
 * framework says so (Fastify's onError, Hono's c.error, h3 and withSession
 * see the throw), and a 5xx status everywhere (Express tells no middleware
 * that a route threw; its answer to one is a 500).
 */
import { createServer } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import express, { type NextFunction, type Request, type Response } from 'express';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { H3 } from 'h3';
import { toNodeHandler } from 'h3/node';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type Session } from '../../src/index';
import { sessionMiddleware as expressSessions } from '../../src/integrations/express';
import { sealedSession as fastifySessions } from '../../src/integrations/fastify';
import { sealedSession as h3Sessions, useSealedSession } from '../../src/integrations/h3';
import { sessionMiddleware as honoSessions, type SessionEnv } from '../../src/integrations/hono';
import { Client, listen, type Listening } from '../helpers/jar';

const store = new CookieSessionStore({
  keys: 'failed-request-test-secret-0123456789abcdefghij',
  schema: z.object({ user: z.string().optional(), step: z.number().default(0), paid: z.boolean().default(false) }),
  cookie: { secure: false },
});
type S = Session<{ user?: string | undefined; step: number; paid: boolean }>;

/**
 * The routes every app exposes:
 * - `POST /sign-in`: user = 'ada', committed implicitly (a normal request);
 * - `POST /throw`: `paid = true`, then throws (the error handler answers `status`);
 * - `POST /commit-then-throw`: step + 1 and an awaited commit, then `paid = true`, then throws;
 * - `POST /answer-500`: `paid = true`, then answers 500 itself;
 * - `GET /read`: the state, as JSON.
 */
const routes = {
  signIn: (s: S) => s.set('user', 'ada'),
  halfDone: (s: S) => s.set('paid', true),
  committed: async (s: S) => {
    s.set('step', s.get('step') + 1);
    await s.commit();
    s.set('paid', true);
  },
  read: (s: S) => ({ ...s.data }),
};

const origins: Record<string, string> = {};
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  // Express: the error handler answers 500.
  const sessions = expressSessions(store);
  const app = express();
  app.use(sessions);
  const es = (req: Request): S => sessions.of(req);
  app.post('/sign-in', (req, res) => void (routes.signIn(es(req)), res.end()));
  app.post('/throw', (req) => {
    routes.halfDone(es(req));
    throw new Error('payment failed');
  });
  app.post('/commit-then-throw', async (req) => {
    await routes.committed(es(req));
    throw new Error('payment failed');
  });
  app.post('/answer-500', (req, res) => {
    routes.halfDone(es(req));
    res.status(500).end('down');
  });
  app.get('/read', (req, res) => void res.json(routes.read(es(req))));
  app.use((_err: unknown, _req: Request, res: Response, _next: NextFunction) => void res.status(500).json({ error: 'failed' }));
  const expressServer: Listening = await listen(createServer(app));
  origins.express = expressServer.origin;
  closers.push(() => expressServer.close());

  // Fastify: a custom error handler answering 400 (the onError hook still says the route threw).
  const fastify: FastifyInstance = Fastify();
  await fastify.register(fastifySessions, { store });
  const fs = (request: FastifyRequest) => (request as FastifyRequest & { session: S }).session;
  fastify.setErrorHandler((_err, _request, reply) => reply.code(400).send({ error: 'failed' }));
  fastify.post('/sign-in', async (request) => void routes.signIn(fs(request)));
  fastify.post('/throw', async (request) => {
    routes.halfDone(fs(request));
    throw new Error('payment failed');
  });
  fastify.post('/commit-then-throw', async (request) => {
    await routes.committed(fs(request));
    throw new Error('payment failed');
  });
  fastify.post('/answer-500', async (request, reply) => {
    routes.halfDone(fs(request));
    return reply.code(500).send('down');
  });
  fastify.get('/read', async (request) => routes.read(fs(request)));
  origins.fastify = await fastify.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => fastify.close());

  // Hono: app.onError answers 400.
  const hono = new Hono<SessionEnv<typeof store>>();
  hono.use(honoSessions(store));
  hono.onError((_err, c) => c.json({ error: 'failed' }, 400));
  hono.post('/sign-in', (c) => (routes.signIn(c.var.session), c.text('')));
  hono.post('/throw', (c) => {
    routes.halfDone(c.var.session);
    throw new Error('payment failed');
  });
  hono.post('/commit-then-throw', async (c) => {
    await routes.committed(c.var.session);
    throw new Error('payment failed');
  });
  hono.post('/answer-500', (c) => (routes.halfDone(c.var.session), c.text('down', 500)));
  hono.get('/read', (c) => c.json(routes.read(c.var.session)));
  const honoServer: ServerType = await new Promise((resolve) => {
    const server = serve({ fetch: hono.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      origins.hono = `http://127.0.0.1:${info.port}`;
      resolve(server);
    });
  });
  closers.push(() => new Promise((resolve) => honoServer.close(() => resolve())));

  // h3: onError answers 400.
  const h3 = new H3({ silent: true, onError: () => Response.json({ error: 'failed' }, { status: 400 }) });
  h3.use(h3Sessions(store));
  const hs = (event: Parameters<typeof useSealedSession>[0]) => useSealedSession(event, store) as Promise<S>;
  h3.post('/sign-in', async (event) => (routes.signIn(await hs(event)), ''));
  h3.post('/throw', async (event) => {
    routes.halfDone(await hs(event));
    throw new Error('payment failed');
  });
  h3.post('/commit-then-throw', async (event) => {
    await routes.committed(await hs(event));
    throw new Error('payment failed');
  });
  h3.post('/answer-500', async (event) => (routes.halfDone(await hs(event)), new Response('down', { status: 500 })));
  h3.get('/read', async (event) => routes.read(await hs(event)));
  const h3Server = await listen(createServer(toNodeHandler(h3)));
  origins.h3 = h3Server.origin;
  closers.push(() => h3Server.close());

  // withSession: a handler that throws never returns a response; one that answers 500 is a failed request.
  const handler = store.withSession(async (request: globalThis.Request, session: S) => {
    const path = new URL(request.url).pathname;
    if (path === '/sign-in') routes.signIn(session);
    if (path === '/answer-500') {
      routes.halfDone(session);
      return new globalThis.Response('down', { status: 500 });
    }
    if (path === '/commit-then-throw') {
      await routes.committed(session);
      return new globalThis.Response('failed', { status: 503 });
    }
    return Response.json(routes.read(session));
  });
  const fetchServer: ServerType = await new Promise((resolve) => {
    const server = serve({ fetch: (request) => handler(request), port: 0, hostname: '127.0.0.1' }, (info) => {
      origins.withSession = `http://127.0.0.1:${info.port}`;
      resolve(server);
    });
  });
  closers.push(() => new Promise((resolve) => fetchServer.close(() => resolve())));

  // node:http: the writeHead commit skips a 5xx response.
  const nodeServer = await listen(
    createServer(async (req, res) => {
      const session = (await store.handleSession(req, res)) as S;
      if (req.url === '/sign-in') routes.signIn(session);
      if (req.url === '/answer-500') {
        routes.halfDone(session);
        res.statusCode = 500;
        return void res.end('down');
      }
      if (req.url === '/commit-then-throw') {
        await routes.committed(session);
        res.statusCode = 503;
        return void res.end('failed');
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(routes.read(session)));
    }),
  );
  origins.node = nodeServer.origin;
  closers.push(() => nodeServer.close());
});

afterAll(async () => {
  for (const close of closers) await close();
});

async function signedIn(framework: string): Promise<Client> {
  const c = new Client(origins[framework]!);
  expect((await c.fetch('/sign-in', { method: 'POST' })).setCookies).toHaveLength(1);
  return c;
}
const state = async (c: Client) => JSON.parse((await c.fetch('/read')).text) as Record<string, unknown>;

describe.each(['express', 'fastify', 'hono', 'h3'])('%s', (framework) => {
  test("a route that changed the session and threw: the error response carries no session cookie, the client's session is unchanged", async () => {
    const c = await signedIn(framework);
    const r = await c.fetch('/throw', { method: 'POST' });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.setCookies).toEqual([]);
    expect(await state(c)).toEqual({ user: 'ada', step: 0, paid: false });
  });

  test('a route that answers 500 itself: its change is not committed', async () => {
    const c = await signedIn(framework);
    const r = await c.fetch('/answer-500', { method: 'POST' });
    expect(r.status).toBe(500);
    expect(r.setCookies).toEqual([]);
    expect(await state(c)).toEqual({ user: 'ada', step: 0, paid: false });
  });
});

describe.each(['express', 'fastify', 'hono'])('%s', (framework) => {
  test('a commit the route ran itself before throwing stays on the error response; the change after it does not', async () => {
    const c = await signedIn(framework);
    const r = await c.fetch('/commit-then-throw', { method: 'POST' });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.setCookies).toHaveLength(1);
    expect(await state(c)).toEqual({ user: 'ada', step: 1, paid: false });
  });
});

test("h3 leaves its prepared headers, a commit the route ran itself included, off the error response: the client's session is unchanged", async () => {
  const c = await signedIn('h3');
  const r = await c.fetch('/commit-then-throw', { method: 'POST' });
  expect(r.status).toBe(400);
  expect(r.setCookies).toEqual([]);
  expect(await state(c)).toEqual({ user: 'ada', step: 0, paid: false });
});

describe.each(['withSession', 'node'])('%s', (framework) => {
  test('a 5xx response: the change is not committed', async () => {
    const c = await signedIn(framework);
    const r = await c.fetch('/answer-500', { method: 'POST' });
    expect(r.status).toBe(500);
    expect(r.setCookies).toEqual([]);
    expect(await state(c)).toEqual({ user: 'ada', step: 0, paid: false });
  });

  test('a commit the handler ran itself stays on its 5xx response; the change after it does not', async () => {
    const c = await signedIn(framework);
    const r = await c.fetch('/commit-then-throw', { method: 'POST' });
    expect(r.status).toBe(503);
    expect(r.setCookies).toHaveLength(1);
    expect(await state(c)).toEqual({ user: 'ada', step: 1, paid: false });
  });
});
