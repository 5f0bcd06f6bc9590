/**
 * Exactly one Set-Cookie per cookie name, never a silent drop, on the real
 * frameworks: a cookie the app sets itself under the session's name wins
 * (before or after the commit), the session's write of that name is dropped
 * and reported (`onWarning`, `cookie-conflict`), the app's other cookies are
 * kept. Also: a commit a Hono route ran itself reaches the response.
 */
import { createServer } from 'node:http';
import cookie from '@fastify/cookie';
import { serve, type ServerType } from '@hono/node-server';
import express, { type Request } from 'express';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type Session, type SessionWarning } from '../../src/index';
import { sessionMiddleware as expressSessions } from '../../src/integrations/express';
import { sealedSession } from '../../src/integrations/fastify';
import { sessionMiddleware as honoSessions, type SessionEnv } from '../../src/integrations/hono';
import { Client, expectOneSetCookiePerName, isDeletion, listen, type Fetched, type Listening } from '../helpers/jar';

const warnings: SessionWarning[] = [];
const store = new CookieSessionStore({
  keys: 'integration-one-cookie-per-name-secret-0123456789',
  schema: z.object({ user: z.string().optional() }),
  cookie: { secure: false },
  onWarning: (w) => warnings.push(w),
});
type S = Session<{ user?: string | undefined }>;
beforeEach(() => {
  warnings.length = 0;
});

/** Names of the Set-Cookie values (checked one per name), and whether the session's is a removal, its value otherwise. */
function cookiesOf(r: Fetched): Record<string, string> {
  return Object.fromEntries(expectOneSetCookiePerName(r.setCookies).map((c) => [c.name, isDeletion(c) ? '<removed>' : c.value.startsWith('Fe26.2*') ? '<sealed>' : c.value]));
}
const conflicts = () => warnings.filter((w) => w.code === 'cookie-conflict').map((w) => w.cookie);
const get = (origin: string, path: string) => new Client(origin).fetch(path);

describe('express', () => {
  let server: Listening;
  beforeAll(async () => {
    const sessions = expressSessions(store);
    const app = express();
    app.use(sessions);
    const s = (req: Request): S => sessions.of(req);
    app.get('/clear-after-commit', async (req, res) => {
      s(req).set('user', 'ada');
      await s(req).commit();
      res.clearCookie('session');
      res.cookie('theme', 'dark');
      res.end('ok');
    });
    app.get('/cookie-before-change', (req, res) => {
      res.cookie('session', 'app-value');
      s(req).set('user', 'ada'); // committed before the headers go out
      res.end('ok');
    });
    app.get('/other-cookie', (req, res) => {
      res.cookie('theme', 'dark');
      s(req).set('user', 'ada');
      res.end('ok');
    });
    server = await listen(createServer(app));
  });
  afterAll(() => server.close());

  test("res.clearCookie('session') after commit(): one Set-Cookie for the name, the app's removal, reported; its other cookie kept", async () => {
    expect(cookiesOf(await get(server.origin, '/clear-after-commit'))).toEqual({ session: '<removed>', theme: 'dark' });
    expect(conflicts()).toEqual(['session']);
  });

  test("res.cookie('session', …) before the session changed: the app's value is sent, ours is not, reported", async () => {
    expect(cookiesOf(await get(server.origin, '/cookie-before-change'))).toEqual({ session: 'app-value' });
    expect(conflicts()).toEqual(['session']);
  });

  test('a cookie of another name: both go out, nothing reported', async () => {
    expect(cookiesOf(await get(server.origin, '/other-cookie'))).toEqual({ theme: 'dark', session: '<sealed>' });
    expect(warnings).toEqual([]);
  });
});

describe('fastify', () => {
  let app: FastifyInstance;
  let origin: string;
  beforeAll(async () => {
    app = Fastify();
    await app.register(cookie);
    await app.register(sealedSession, { store });
    const s = (request: FastifyRequest) => (request as FastifyRequest & { session: S }).session;
    app.get('/header-for-our-name', async (request, reply) => {
      s(request).set('user', 'ada');
      reply.header('set-cookie', 'session=app-value; Path=/');
      return 'ok';
    });
    app.get('/set-cookie-after-commit', async (request, reply) => {
      s(request).set('user', 'ada');
      await s(request).commit();
      reply.clearCookie('session', { path: '/' });
      reply.header('set-cookie', 'theme=dark');
      return 'ok';
    });
    app.get('/header-for-another-name', async (request, reply) => {
      s(request).set('user', 'ada');
      await s(request).commit();
      reply.header('set-cookie', 'theme=dark');
      return 'ok';
    });
    origin = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());

  test("reply.header('set-cookie', 'session=…'): the app's value is the one sent, the session's write is reported, not silently lost", async () => {
    expect(cookiesOf(await get(origin, '/header-for-our-name'))).toEqual({ session: 'app-value' });
    expect(conflicts()).toEqual(['session']);
  });

  test("@fastify/cookie's clearCookie after commit(): the app's removal, one value, reported; its other cookie kept", async () => {
    expect(cookiesOf(await get(origin, '/set-cookie-after-commit'))).toEqual({ session: '<removed>', theme: 'dark' });
    expect(conflicts()).toEqual(['session']);
  });

  test("reply.header('set-cookie') of another name after commit(): both go out", async () => {
    expect(cookiesOf(await get(origin, '/header-for-another-name'))).toEqual({ session: '<sealed>', theme: 'dark' });
    expect(warnings).toEqual([]);
  });
});

describe('hono', () => {
  let server: ServerType;
  let origin: string;
  beforeAll(async () => {
    const app = new Hono<SessionEnv<typeof store>>();
    app.use(honoSessions(store));
    app.get('/explicit-commit', async (c) => {
      c.var.session.set('user', 'ada');
      await c.var.session.commit();
      return c.text('ok');
    });
    app.get('/set-cookie-for-our-name', (c) => {
      c.var.session.set('user', 'ada');
      setCookie(c, 'session', 'app-value');
      setCookie(c, 'theme', 'dark');
      return c.text('ok');
    });
    app.get('/delete-after-commit', async (c) => {
      c.var.session.set('user', 'ada');
      await c.var.session.commit();
      deleteCookie(c, 'session');
      return c.redirect('/elsewhere', 303);
    });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
        origin = `http://127.0.0.1:${info.port}`;
        resolve();
      });
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('a commit the route ran itself, with nothing changed after it, reaches the response', async () => {
    const c = new Client(origin);
    expect(cookiesOf(await c.fetch('/explicit-commit'))).toEqual({ session: '<sealed>' });
    expect((await store.load(c.jar.header())).get('user')).toBe('ada');
  });

  test("setCookie(c, 'session', …): the app's value is sent, ours is not, reported; its other cookie kept", async () => {
    expect(cookiesOf(await get(origin, '/set-cookie-for-our-name'))).toEqual({ session: 'app-value', theme: 'dark' });
    expect(conflicts()).toEqual(['session']);
  });

  test("deleteCookie(c, 'session') after commit(), on a redirect: one value, the app's removal, reported", async () => {
    const r = await get(origin, '/delete-after-commit');
    expect(r.status).toBe(303);
    expect(cookiesOf(r)).toEqual({ session: '<removed>' });
    expect(conflicts()).toEqual(['session']);
  });
});
