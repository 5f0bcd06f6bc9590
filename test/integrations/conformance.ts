/**
 * The conformance checklist every framework integration runs
 * (`sealed-session/<framework>`), against the real framework on 127.0.0.1.
 *
 * How to use it: build an app with the integration, using the store from
 * {@link conformanceStore} (same schema, secret and cookie name `conf` for
 * every framework), expose the routes below, start it on 127.0.0.1, and call
 * {@link describeConformance} with a function giving its origin:
 *
 * ```ts
 * describeConformance('express', () => ({ origin: server.origin }));
 * ```
 *
 * Each step is one vitest `test`, so a framework's report names the steps it
 * fails. The steps are also exported one by one ({@link conformanceSteps})
 * for a driver that runs them itself.
 *
 * ## Routes the app must expose (under `base`, default `''`)
 *
 * Every "JSON read" answer is {@link readOf}(session): `{ count, note, id,
 * isNew, invalidReason }`. POSTs carry no body (plus `target.postHeaders`,
 * e.g. an Origin header for a framework's CSRF check). "Implicit commit" means
 * the route does not call `session.commit()`: the integration commits as the
 * response goes out (an integration whose API is explicit, like React
 * Router's `commitSession`, commits in the route instead and says so).
 *
 * | route | what it does | answers |
 * |---|---|---|
 * | `GET /read` | reads the session; implicit commit (a refused cookie is removed then) | 200, JSON read |
 * | `POST /write` | `count + 1`; implicit commit | 200, JSON read |
 * | `POST /commit` | `count + 1`, `await session.commit()`, then `note = 'second'` and the app's own cookie `app=1` through the framework's cookie API; implicit commit | 200, JSON read |
 * | `POST /renew` | `session.renew()`; implicit commit | 200, JSON read |
 * | `POST /destroy` | `session.destroy()`; implicit commit | 200, JSON read |
 * | `POST /flash` | `session.flash('notice', 'saved')`; implicit commit | 303 redirect to `GET /flash`, through the framework's redirect |
 * | `GET /flash` | `session.takeFlash('notice')`; implicit commit | 200, `{ notice: string \| null }` |
 * | `POST /oversize` | `session.set('note', OVERSIZE_NOTE)` (more than the 6144-byte budget); implicit commit, which throws `ERR_SESSION_TOO_LARGE` | the app's own error response: {@link errorResponseOf}(err), i.e. 413 with `{ error: 'ERR_SESSION_TOO_LARGE' }` |
 * | `GET /twice` | gets the session a second time the way the framework allows (a second middleware/hook call, `useSession` again, `store.handleSession` again), `second.set('count', first.get('count') + 1)`; implicit commit | 200, `{ same: first === second, ...readOf(first) }` |
 *
 * ## What the checklist asserts
 *
 * read (no Set-Cookie for an untouched session), write (read back), commit
 * once (exactly one Set-Cookie per name, ours next to the app's), renew (new
 * id, same state), destroy (cookie deleted, new session after), flash (across
 * the framework's redirect, read once), oversize (the app's error response,
 * no session cookie on it, the previous session kept), tampered cookie (empty
 * session, `invalidReason: 'tampered'`, the cookie removed), second call (same
 * session object, committed once).
 */
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, isSessionError, type Session } from '../../src/index';
import { Client, expectOneSetCookiePerName, isDeletion, type Fetched, type ParsedSetCookie } from '../helpers/jar';

/** The cookie every conformance app's session uses. */
export const CONFORMANCE_COOKIE = 'conf';

/** The store every conformance app uses (not `Secure`, so a browser on http://127.0.0.1 keeps it too). */
export function conformanceStore() {
  return new CookieSessionStore({
    keys: 'conformance-checklist-secret-0123456789abcdefgh',
    schema: z.object({ count: z.number().int().default(0), note: z.string().optional() }),
    cookie: { name: CONFORMANCE_COOKIE, secure: false },
  });
}

export type ConformanceStore = ReturnType<typeof conformanceStore>;
export type ConformanceSession = Session<{ count: number; note?: string | undefined }>;

/** More than the default 6144-byte budget once sealed: `POST /oversize` sets it as `note`. */
export const OVERSIZE_NOTE = 'x'.repeat(10_000);

/** What the JSON-read routes answer. */
export interface ConformanceRead {
  count: number;
  note: string | null;
  id: string;
  isNew: boolean;
  invalidReason: string | null;
}

export function readOf(session: ConformanceSession): ConformanceRead {
  return {
    count: session.get('count'),
    note: session.get('note') ?? null,
    id: session.id,
    isNew: session.isNew,
    invalidReason: session.invalidReason ?? null,
  };
}

/**
 * The app's error response for an error the integration hands it: 413 for a
 * session over budget, 500 otherwise, with the SessionError code (so a
 * framework's bare 500 does not pass for it).
 */
export function errorResponseOf(err: unknown): { status: number; body: { error: string } } {
  const code = isSessionError(err) ? err.code : 'unexpected';
  return { status: code === 'ERR_SESSION_TOO_LARGE' ? 413 : 500, body: { error: code } };
}

/** Where the app under test listens. */
export interface ConformanceTarget {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Prefix of the routes, e.g. `/conformance`; default `''`. */
  readonly base?: string;
  /** Extra headers on every POST (an Origin header for a CSRF check). */
  readonly postHeaders?: Record<string, string>;
}

/** The checklist's steps, in the order they run. */
export type ConformanceStep = 'read' | 'write' | 'commit once' | 'renew' | 'destroy' | 'flash' | 'oversize' | 'tampered' | 'second call';

class Driver {
  readonly c: Client;
  constructor(readonly t: ConformanceTarget) {
    this.c = new Client(t.origin);
  }
  path(route: string): string {
    return `${this.t.base ?? ''}${route}`;
  }
  get(route: string): Promise<Fetched> {
    return this.c.fetch(this.path(route));
  }
  post(route: string): Promise<Fetched> {
    return this.c.fetch(this.path(route), { method: 'POST', headers: { ...this.t.postHeaders } });
  }
  async read(route = '/read', post = false): Promise<ConformanceRead & { setCookies: string[] }> {
    const r = post ? await this.post(route) : await this.get(route);
    expect(r.status, `${route}: ${r.text.slice(0, 300)}`).toBe(200);
    return { ...(JSON.parse(r.text) as ConformanceRead), setCookies: r.setCookies };
  }
}

/** Our cookie's Set-Cookie values in a response (the name and its chunks), after asserting one per name. */
function ours(setCookies: readonly string[]): ParsedSetCookie[] {
  return expectOneSetCookiePerName(setCookies).filter((p) => p.name === CONFORMANCE_COOKIE || p.name.startsWith(`${CONFORMANCE_COOKIE}.`));
}

/** Each step against a fresh client (its own cookie jar). */
export const conformanceSteps: Record<ConformanceStep, (target: ConformanceTarget) => Promise<void>> = {
  async read(t) {
    const d = new Driver(t);
    const first = await d.read();
    expect(first).toMatchObject({ count: 0, note: null, isNew: true, invalidReason: null });
    // Lazy creation: an untouched new session sends no cookie.
    expect(first.setCookies).toEqual([]);
  },

  async write(t) {
    const d = new Driver(t);
    const written = await d.read('/write', true);
    expect(written).toMatchObject({ count: 1, isNew: true });
    expect(ours(written.setCookies).map((p) => p.name)).toEqual([CONFORMANCE_COOKIE]);
    const again = await d.read('/write', true);
    expect(again).toMatchObject({ count: 2, isNew: false, id: written.id });
    const read = await d.read();
    expect(read).toMatchObject({ count: 2, isNew: false, id: written.id });
    // Reading an unchanged session writes nothing.
    expect(read.setCookies).toEqual([]);
  },

  async 'commit once'(t) {
    const d = new Driver(t);
    const r = await d.post('/commit');
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    // An explicit commit, a later change and the integration's own commit: one Set-Cookie per name, the app's cookie kept.
    const names = expectOneSetCookiePerName(r.setCookies).map((p) => p.name).sort();
    expect(names).toEqual(['app', CONFORMANCE_COOKIE]);
    expect(d.c.jar.get('app')).toBe('1');
    // The change after the explicit commit went out too.
    expect(await d.read()).toMatchObject({ count: 1, note: 'second' });
  },

  async renew(t) {
    const d = new Driver(t);
    const before = await d.read('/write', true);
    const renewed = await d.read('/renew', true);
    expect(renewed.id).not.toBe(before.id);
    expect(ours(renewed.setCookies).map((p) => p.name)).toEqual([CONFORMANCE_COOKIE]);
    expect(await d.read()).toMatchObject({ id: renewed.id, count: 1, isNew: false });
  },

  async destroy(t) {
    const d = new Driver(t);
    const before = await d.read('/write', true);
    const destroyed = await d.read('/destroy', true);
    const removed = ours(destroyed.setCookies);
    expect(removed.map((p) => p.name)).toEqual([CONFORMANCE_COOKIE]);
    expect(removed.every(isDeletion)).toBe(true);
    expect(d.c.jar.names()).toEqual([]);
    const after = await d.read();
    expect(after).toMatchObject({ count: 0, isNew: true, invalidReason: null });
    expect(after.id).not.toBe(before.id);
  },

  async flash(t) {
    const d = new Driver(t);
    const redirect = await d.post('/flash');
    expect(redirect.status).toBe(303);
    expect(new URL(redirect.response.headers.get('location')!, t.origin).pathname).toBe(d.path('/flash'));
    expect(ours(redirect.setCookies).map((p) => p.name)).toEqual([CONFORMANCE_COOKIE]);
    const shown = await d.get('/flash');
    expect(JSON.parse(shown.text)).toEqual({ notice: 'saved' });
    // Taking it rewrote the cookie: the next request no longer sees it.
    expect(ours(shown.setCookies).map((p) => p.name)).toEqual([CONFORMANCE_COOKIE]);
    expect(JSON.parse((await d.get('/flash')).text)).toEqual({ notice: null });
  },

  async oversize(t) {
    const d = new Driver(t);
    const before = await d.read('/write', true);
    const r = await d.post('/oversize');
    expect(r.status, r.text.slice(0, 300)).toBe(413);
    expect(JSON.parse(r.text)).toEqual({ error: 'ERR_SESSION_TOO_LARGE' });
    expect(ours(r.setCookies)).toEqual([]);
    // The client kept its previous cookie, and with it the previous session.
    expect(await d.read()).toMatchObject({ id: before.id, count: 1, note: null });
  },

  async tampered(t) {
    const d = new Driver(t);
    await d.read('/write', true);
    const sealed = d.c.jar.get(CONFORMANCE_COOKIE)!;
    // One character of the integrity tag (after the last '*'), changed: the first one carries six whole bits.
    const at = sealed.lastIndexOf('*') + 1;
    d.c.jar.put(CONFORMANCE_COOKIE, sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1));
    const read = await d.read();
    expect(read).toMatchObject({ count: 0, isNew: true, invalidReason: 'tampered' });
    // The refused cookie is removed, so the browser stops sending it.
    const removed = ours(read.setCookies);
    expect(removed.map((p) => p.name)).toEqual([CONFORMANCE_COOKIE]);
    expect(removed.every(isDeletion)).toBe(true);
    expect(await d.read()).toMatchObject({ isNew: true, invalidReason: null });
  },

  async 'second call'(t) {
    const d = new Driver(t);
    await d.read('/write', true);
    const r = await d.get('/twice');
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    const body = JSON.parse(r.text) as ConformanceRead & { same: boolean };
    expect(body).toMatchObject({ same: true, count: 2 });
    expect(ours(r.setCookies).map((p) => p.name)).toEqual([CONFORMANCE_COOKIE]);
    expect(await d.read()).toMatchObject({ count: 2 });
  },
};

/** Register the checklist as one `describe` with a `test` per step. `target` is called when the tests run (after `beforeAll`). */
export function describeConformance(framework: string, target: () => ConformanceTarget): void {
  describe(`conformance: ${framework}`, () => {
    for (const [step, run] of Object.entries(conformanceSteps)) test(step, () => run(target()));
  });
}
