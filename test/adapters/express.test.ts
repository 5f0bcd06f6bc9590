/**
 * Express 5 on a real server: a middleware puts `await store.handleSession(req, res)`
 * on `req.session`, and routes sign in, count, and sign out, mixing explicit
 * commits, auto-commit (`res.json`, `res.redirect`) and Express' own `res.cookie`.
 */
import { createServer } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appStore, expectBadLoginLeavesSession, me, type AppSession, type Me } from './framework-app';
import { Client, expectOneSetCookiePerName, isDeletion, listen, parseSetCookie, type Listening } from '../helpers/jar';

const store = appStore('express-adapter-test-secret-0123456789abcdefgh');

/** `req` after the session middleware ran. Cast locally rather than augmenting Express' global types. */
type SessionRequest = Request & { session: AppSession };

function sessionOf(req: Request): AppSession {
  return (req as SessionRequest).session;
}

function buildApp(): express.Express {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    (req as SessionRequest).session = await store.handleSession(req, res);
    next();
  });
  app.get('/me', (req, res) => {
    res.json(me(sessionOf(req)));
  });
  app.post('/login', async (req, res) => {
    const name = typeof req.body?.name === 'string' ? req.body.name.trim() : '';
    if (!name) {
      res.status(400).json({ error: 'name required' });
      return;
    }
    const session = sessionOf(req);
    session.renew();
    session.set('user', name);
    await session.commit();
    res.redirect(303, '/me');
  });
  // No commit: res.json() writes the headers, which commits.
  app.post('/count', (req, res) => {
    const session = sessionOf(req);
    session.set('count', session.get('count') + 1);
    res.json(me(session));
  });
  // Express' own cookie before and after the commit.
  app.post('/theme', async (req, res) => {
    const session = sessionOf(req);
    res.cookie('theme', 'dark', { path: '/' });
    session.set('count', session.get('count') + 1);
    await session.commit();
    res.cookie('lang', 'en', { path: '/' });
    res.json(me(session));
  });
  // Destroy, then redirect without committing.
  app.post('/logout', (req, res) => {
    sessionOf(req).destroy();
    res.redirect(303, '/me');
  });
  return app;
}

let server: Listening;

beforeAll(async () => {
  server = await listen(createServer(buildApp()));
});

afterAll(() => server.close());


async function getMe(c: Client): Promise<Me & { setCookies: string[] }> {
  return c.json<Me>('/me');
}

function form(body: Record<string, string>): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() };
}

describe('Express 5 with req.session from handleSession', () => {
  test('sign in, count, sign out', async () => {
    const c = new Client(server.origin);
    const anonymous = await getMe(c);
    expect(anonymous).toMatchObject({ user: null, count: 0, isNew: true });
    expect(anonymous.setCookies).toEqual([]);

    // Count before signing in: the session exists and has an id.
    await c.fetch('/count', { method: 'POST' });
    const before = await getMe(c);
    expect(before).toMatchObject({ user: null, count: 1, isNew: false });

    const login = await c.fetch('/login', form({ name: 'Ada' }));
    expect(login.status).toBe(303);
    expect(login.response.headers.get('location')).toBe('/me');
    const [cookie] = expectOneSetCookiePerName(login.setCookies);
    expect(cookie?.name).toBe('__Host-app');
    expect(cookie?.attributes.get('secure')).toBe(true);

    const after = await getMe(c);
    // renew(): same state, new id, so the id seen before sign-in is worthless.
    expect(after).toMatchObject({ user: 'Ada', count: 1, isNew: false });
    expect(after.id).not.toBe(before.id);

    for (let i = 0; i < 3; i++) await c.fetch('/count', { method: 'POST' });
    expect(await getMe(c)).toMatchObject({ user: 'Ada', count: 4 });

    const logout = await c.fetch('/logout', { method: 'POST' });
    expect(logout.status).toBe(303);
    expect(expectOneSetCookiePerName(logout.setCookies).filter(isDeletion).map((p) => p.name)).toEqual(['__Host-app']);
    expect(c.jar.names()).toEqual([]);
    expect(await getMe(c)).toMatchObject({ user: null, count: 0, isNew: true });
  });

  test('a bad form is answered by the app, and leaves the session alone', () => expectBadLoginLeavesSession(server.origin, form({ name: '   ' })));

  test("res.cookie() before and after commit() keeps Express' cookies and ours", async () => {
    const c = new Client(server.origin);
    const { setCookies, status } = await c.fetch('/theme', { method: 'POST' });
    expect(status).toBe(200);
    expect(expectOneSetCookiePerName(setCookies).map((p) => p.name).sort()).toEqual(['__Host-app', 'lang', 'theme']);
    expect(parseSetCookie(setCookies.find((v) => v.startsWith('theme='))!).value).toBe('dark');
    expect(await getMe(c)).toMatchObject({ count: 1 });
  });
});
