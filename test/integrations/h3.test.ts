/**
 * `sealed-session/h3` on h3 v2, served through `toNodeHandler` (h3/node) by
 * a real node:http server on 127.0.0.1: the conformance checklist, then the
 * function API (`updateSealedSession`, `clearSealedSession`) without the
 * middleware, h3's own `setCookie` next to ours, and a Web `Response` returned
 * by a handler.
 */
import { createServer } from 'node:http';
import { H3, HTTPError, redirect, setCookie } from 'h3';
import { toNodeHandler } from 'h3/node';
import { afterAll, beforeAll, describe, expect, expectTypeOf, test } from 'vitest';
import { clearSealedSession, sealedSession, updateSealedSession, useSealedSession } from '../../src/integrations/h3';
import { Client, expectOneSetCookiePerName, isDeletion, listen, type Listening } from '../helpers/jar';
import { CONFORMANCE_COOKIE, OVERSIZE_NOTE, conformanceStore, describeConformance, errorResponseOf, readOf, type ConformanceSession } from './conformance';

const store = conformanceStore();

function buildApp(): H3 {
  const app = new H3({
    // The oversize step's error is expected: h3 would log it as unhandled.
    silent: true,
    onError: (error) => {
      const { status, body } = errorResponseOf(HTTPError.isError(error) && error.cause !== undefined ? error.cause : error);
      return Response.json(body, { status });
    },
  });
  app.use(sealedSession(store));
  app.get('/read', async (event) => readOf(await useSealedSession(event, store)));
  app.post('/write', async (event) => {
    const session = await useSealedSession(event, store);
    session.set('count', session.get('count') + 1);
    return readOf(session);
  });
  app.post('/commit', async (event) => {
    const session = await useSealedSession(event, store);
    session.set('count', session.get('count') + 1);
    await session.commit();
    session.set('note', 'second');
    setCookie(event, 'app', '1', { path: '/' });
    return readOf(session);
  });
  app.post('/renew', async (event) => {
    const session = await useSealedSession(event, store);
    session.renew();
    return readOf(session);
  });
  app.post('/destroy', async (event) => {
    const session = await useSealedSession(event, store);
    session.destroy();
    return readOf(session);
  });
  app.post('/flash', async (event) => {
    (await useSealedSession(event, store)).flash('notice', 'saved');
    return redirect('/flash', 303);
  });
  app.get('/flash', async (event) => ({ notice: (await useSealedSession(event, store)).takeFlash<string>('notice') ?? null }));
  app.post('/oversize', async (event) => {
    const session = await useSealedSession(event, store);
    session.set('note', OVERSIZE_NOTE);
    return readOf(session);
  });
  app.get('/twice', async (event) => {
    const first = await useSealedSession(event, store);
    const second = await useSealedSession(event, store);
    second.set('count', first.get('count') + 1);
    return { same: first === second, ...readOf(first) };
  });
  // Error responses get h3's errHeaders, not the prepared headers: no session cookie on them.
  app.post('/bad-request', async (event) => {
    (await useSealedSession(event, store)).set('note', 'on a 400');
    return new Response('no', { status: 400 });
  });
  app.post('/throws', async (event) => {
    (await useSealedSession(event, store)).set('note', 'before a throw');
    throw new HTTPError({ status: 409, message: 'conflict' });
  });
  app.post('/response', async (event) => {
    (await useSealedSession(event, store)).set('note', 'web response');
    return new Response('made', { status: 201, headers: { 'set-cookie': 'own=1; Path=/' } });
  });
  return app;
}

/** No middleware: the functions commit themselves. */
function functionsApp(): H3 {
  const app = new H3();
  app.post('/visit', async (event) => readOf(await updateSealedSession(event, store, (s) => ({ ...s, count: s.count + 1 }))));
  app.post('/note', async (event) => readOf(await updateSealedSession(event, store, { note: 'set' })));
  app.post('/logout', async (event) => {
    await clearSealedSession(event, store);
    return redirect('/', 303);
  });
  app.get('/read', async (event) => readOf(await useSealedSession(event, store)));
  return app;
}

let server: Listening;
let functions: Listening;
beforeAll(async () => {
  server = await listen(createServer(toNodeHandler(buildApp())));
  functions = await listen(createServer(toNodeHandler(functionsApp())));
});
afterAll(async () => {
  await server.close();
  await functions.close();
});

describeConformance('h3', () => ({ origin: server.origin }));

const post = (c: Client, path: string) => c.fetch(path, { method: 'POST' });

describe('sealed-session/h3 beyond the checklist', () => {
  test('the session is typed from the store schema', () => {
    const app = new H3();
    app.get('/', async (event) => {
      const session = await useSealedSession(event, store);
      expectTypeOf(session).toEqualTypeOf<ConformanceSession>();
      // @ts-expect-error: count is a number
      await updateSealedSession(event, store, { count: 'one' });
      return '';
    });
  });

  test('a Web Response a handler returns carries the cookie next to its own', async () => {
    const c = new Client(server.origin);
    const r = await post(c, '/response');
    expect(r.status).toBe(201);
    expect(expectOneSetCookiePerName(r.setCookies).map((p) => p.name).sort()).toEqual([CONFORMANCE_COOKIE, 'own']);
    expect(JSON.parse((await c.fetch('/read')).text)).toMatchObject({ note: 'web response' });
  });

  test('a returned Response with status >= 400, and a thrown error, carry no session cookie (h3 gives them errHeaders)', async () => {
    const c = new Client(server.origin);
    const bad = await post(c, '/bad-request');
    expect(bad.status).toBe(400);
    expect(bad.setCookies).toEqual([]);
    const thrown = await post(c, '/throws');
    expect(thrown.status).toBe(500);
    expect(thrown.setCookies).toEqual([]);
    expect(JSON.parse((await c.fetch('/read')).text)).toMatchObject({ note: null, isNew: true });
  });

  test('without the middleware: updateSealedSession and clearSealedSession commit themselves', async () => {
    const c = new Client(functions.origin);
    expect(JSON.parse((await post(c, '/visit')).text)).toMatchObject({ count: 1 });
    const noted = await post(c, '/note');
    expect(expectOneSetCookiePerName(noted.setCookies).map((p) => p.name)).toEqual([CONFORMANCE_COOKIE]);
    expect(JSON.parse((await c.fetch('/read')).text)).toMatchObject({ count: 1, note: 'set' });
    const out = await post(c, '/logout');
    expect(out.status).toBe(303);
    expect(expectOneSetCookiePerName(out.setCookies).filter(isDeletion).map((p) => p.name)).toEqual([CONFORMANCE_COOKIE]);
    expect(JSON.parse((await c.fetch('/read')).text)).toMatchObject({ count: 0, isNew: true });
  });
});
