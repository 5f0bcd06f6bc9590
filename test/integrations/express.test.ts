/**
 * `sealed-session/express` on Express 5 and a real node:http server: the
 * conformance checklist, then what Express adds: streaming with `res.write`,
 * `res.redirect`, errors a route passes to `next(err)`, `res.writeHead`, a
 * second mount, and an `onError` of the application's own.
 */
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sessionMiddleware } from '../../src/integrations/express';
import { Client, expectOneSetCookiePerName, listen, type Listening } from '../helpers/jar';
import { CONFORMANCE_COOKIE, OVERSIZE_NOTE, conformanceStore, describeConformance, errorResponseOf, readOf } from './conformance';

const store = conformanceStore();
const sessions = sessionMiddleware(store);

function buildApp(): express.Express {
  const app = express();
  app.use(sessions);
  const s = (req: Request) => sessions.of(req);
  app.get('/read', (req, res) => {
    res.json(readOf(s(req)));
  });
  app.post('/write', (req, res) => {
    s(req).set('count', s(req).get('count') + 1);
    res.json(readOf(s(req)));
  });
  app.post('/commit', async (req, res) => {
    const session = s(req);
    session.set('count', session.get('count') + 1);
    await session.commit();
    session.set('note', 'second');
    res.cookie('app', '1', { path: '/' });
    res.json(readOf(session));
  });
  app.post('/renew', (req, res) => {
    s(req).renew();
    res.json(readOf(s(req)));
  });
  app.post('/destroy', (req, res) => {
    s(req).destroy();
    res.json(readOf(s(req)));
  });
  app.post('/flash', (req, res) => {
    s(req).flash('notice', 'saved');
    res.redirect(303, '/flash');
  });
  app.get('/flash', (req, res) => {
    res.json({ notice: s(req).takeFlash<string>('notice') ?? null });
  });
  app.post('/oversize', (req, res) => {
    s(req).set('note', OVERSIZE_NOTE);
    res.json(readOf(s(req)));
  });
  app.get('/twice', async (req, res) => {
    const first = s(req);
    // The route's own handleSession for the same response, and req.session, are the middleware's session.
    const second = await store.handleSession(req, res);
    second.set('count', first.get('count') + 1);
    res.json({ same: first === second && (req as { session?: unknown }).session === first, ...readOf(first) });
  });

  // Streaming: chunks written one by one, and a piped stream.
  app.post('/stream', (req, res) => {
    s(req).set('count', s(req).get('count') + 1);
    res.setHeader('content-type', 'text/plain');
    res.write('a');
    res.write('b');
    res.end('c');
  });
  app.post('/pipe', (req, res) => {
    s(req).set('note', 'piped');
    Readable.from(['x', 'y', 'z']).pipe(res);
  });
  app.post('/write-head', (req, res) => {
    s(req).set('count', s(req).get('count') + 1);
    res.writeHead(201, { 'content-type': 'text/plain', 'set-cookie': 'raw=1; Path=/' });
    res.end('made');
  });
  app.post('/write-head-oversize', (req, res) => {
    s(req).set('note', OVERSIZE_NOTE);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('never');
  });
  app.post('/stream-oversize', (req, res) => {
    s(req).set('note', OVERSIZE_NOTE);
    res.write('never');
    res.end('sent');
  });
  // A route's error: the session change before it is not committed on the error handler's response.
  app.post('/fail', (req, _res, next: NextFunction) => {
    s(req).set('note', 'before the error');
    next(new Error('boom'));
  });
  app.post('/throw', async (req) => {
    s(req).set('note', 'before the throw');
    throw new Error('thrown');
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, body } = errorResponseOf(err);
    res.status(status).json(body);
  });
  return app;
}

let server: Listening;
beforeAll(async () => {
  server = await listen(createServer(buildApp()));
});
afterAll(() => server.close());

describeConformance('express', () => ({ origin: server.origin }));

const post = (c: Client, path: string) => c.fetch(path, { method: 'POST' });
const state = async (c: Client) => JSON.parse((await c.fetch('/read')).text) as ReturnType<typeof readOf>;

describe('sealed-session/express beyond the checklist', () => {
  test('res.write chunks: the cookie goes out with the headers and the body is whole, in order', async () => {
    const c = new Client(server.origin);
    const r = await post(c, '/stream');
    expect(r.status).toBe(200);
    expect(r.text).toBe('abc');
    expect(expectOneSetCookiePerName(r.setCookies).map((p) => p.name)).toEqual([CONFORMANCE_COOKIE]);
    expect(await state(c)).toMatchObject({ count: 1 });
  });

  test('a piped stream', async () => {
    const c = new Client(server.origin);
    const r = await post(c, '/pipe');
    expect(r.text).toBe('xyz');
    expect(await state(c)).toMatchObject({ note: 'piped' });
  });

  test("res.writeHead(status, headers) with the app's own Set-Cookie keeps both", async () => {
    const c = new Client(server.origin);
    const r = await post(c, '/write-head');
    expect(r.status).toBe(201);
    expect(r.text).toBe('made');
    expect(expectOneSetCookiePerName(r.setCookies).map((p) => p.name).sort()).toEqual([CONFORMANCE_COOKIE, 'raw']);
    expect(await state(c)).toMatchObject({ count: 1 });
  });

  test('a streamed response over budget: nothing of it is sent, the error handler answers', async () => {
    const c = new Client(server.origin);
    await post(c, '/write');
    const r = await post(c, '/stream-oversize');
    expect(r.status).toBe(413);
    expect(JSON.parse(r.text)).toEqual({ error: 'ERR_SESSION_TOO_LARGE' });
    expect(r.setCookies).toEqual([]);
    expect(await state(c)).toMatchObject({ count: 1, note: null });
  });

  test('res.writeHead() called by the route over budget: the error handler answers', async () => {
    const c = new Client(server.origin);
    const r = await post(c, '/write-head-oversize');
    expect(r.status).toBe(413);
    expect(r.setCookies).toEqual([]);
  });

  test("next(err) and a thrown error: the error handler answers, and the route's half-done change is not committed on its 500", async () => {
    for (const path of ['/fail', '/throw']) {
      const c = new Client(server.origin);
      await post(c, '/write');
      const r = await post(c, path);
      expect(r.status).toBe(500);
      expect(JSON.parse(r.text)).toEqual({ error: 'unexpected' });
      expect(r.setCookies).toEqual([]);
      expect(await state(c)).toMatchObject({ count: 1, note: null });
    }
  });

  test('sessions.of(req) without the middleware says what is missing', () => {
    expect(() => sessions.of({ headers: {} })).toThrow(/app\.use\(sessionMiddleware\(store\)\) must run before/);
  });
});

describe('sealed-session/express options and mounting', () => {
  let other: Listening;
  beforeAll(async () => {
    const app = express();
    const mw = sessionMiddleware(store, {
      onError: (err, _req, res) => {
        (res as Response).status(507).type('text/plain').send(`own answer: ${(err as { code?: string }).code}`);
      },
    });
    // Mounted twice (app and router): one session, one commit.
    app.use(mw);
    const router = express.Router();
    router.use(sessionMiddleware(store));
    router.post('/write', (req, res) => {
      mw.of(req).set('count', mw.of(req).get('count') + 1);
      res.json(readOf(mw.of(req)));
    });
    router.post('/oversize', (req, res) => {
      mw.of(req).set('note', OVERSIZE_NOTE);
      res.redirect(303, '/somewhere');
    });
    app.use(router);
    other = await listen(createServer(app));
  });
  afterAll(() => other.close());

  test('mounted on the app and on a router: one Set-Cookie, one session', async () => {
    const c = new Client(other.origin);
    const r = await post(c, '/write');
    expect(expectOneSetCookiePerName(r.setCookies).map((p) => p.name)).toEqual([CONFORMANCE_COOKIE]);
    expect(JSON.parse((await post(c, '/write')).text)).toMatchObject({ count: 2 });
  });

  test('onError answers instead of the redirect the route built', async () => {
    const c = new Client(other.origin);
    const r = await post(c, '/oversize');
    expect(r.status).toBe(507);
    expect(r.text).toBe('own answer: ERR_SESSION_TOO_LARGE');
    expect(r.response.headers.get('location')).toBeNull();
    expect(r.setCookies).toEqual([]);
  });
});
