/**
 * The conformance checklist every framework integration runs
 * (`sealed-session/<framework>`, and Next.js through the core's own
 * `withSession`), against the real framework on 127.0.0.1.
 *
 * How to use it: build an app with the integration, expose the routes below,
 * start it on 127.0.0.1, and call {@link describeConformance} with the
 * integration's name (a key of {@link CONFORMANCE_RUNS}) and a function
 * giving its origin:
 *
 * ```ts
 * describeConformance('express', () => ({ origin: server.origin }));
 * describeConformance('sveltekit', () => ({ origin: served.url, base: '/conformance', cookie: 'sid' }));
 * ```
 *
 * A server integration's test builds its app around {@link conformanceStore}
 * (same schema, secret and cookie name `conf` for every framework). An
 * example app (React Router, SvelteKit, Astro, Next.js 15 and 16: built and
 * served by the framework's own CLI) exposes the routes under
 * `/conformance/<route>` with its own store, whose schema has the same
 * `count` (integer, default 0) and `note` (optional string) fields and whose
 * cookie the target names.
 *
 * Each step is one vitest `test` named after the step ({@link CONFORMANCE_STEPS}),
 * every step for every integration, so a report names the steps a framework
 * fails and a route an app lacks fails its step. A step an integration does
 * not pass today is listed with its reason in {@link CONFORMANCE_RUNS} and
 * runs as `test.fails`: it is reported, and it fails the run as soon as it
 * starts passing, so the entry cannot outlive the fix.
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
  /** The session cookie's name; default {@link CONFORMANCE_COOKIE} (an example app names its own store's). */
  readonly cookie?: string;
}

/** The checklist's steps, in the order they run. */
export const CONFORMANCE_STEPS = ['read', 'write', 'commit once', 'renew', 'destroy', 'flash', 'oversize', 'tampered', 'second call'] as const;

/** One step of the checklist. */
export type ConformanceStep = (typeof CONFORMANCE_STEPS)[number];

/** One integration's run of the checklist: the test file that runs it, and the steps it does not pass yet, with why. */
export interface ConformanceRun {
  /** The test file (from the repository root) that calls {@link describeConformance} for it. */
  readonly test: string;
  /** Steps expected to fail today (run as `test.fails`), each with the reason. */
  readonly fails?: Partial<Record<ConformanceStep, string>>;
}

/**
 * Every integration that runs the checklist. docs/integrations/README.md's
 * table shows the same (test/integrations/conformance-coverage.test.ts checks
 * it, and that each test file runs the checklist under this name).
 */
export const CONFORMANCE_RUNS = {
  express: { test: 'test/integrations/express.test.ts' },
  fastify: { test: 'test/integrations/fastify.test.ts' },
  hono: { test: 'test/integrations/hono.test.ts' },
  h3: { test: 'test/integrations/h3.test.ts' },
  'react-router': { test: 'test/integrations/react-router.test.ts' },
  sveltekit: { test: 'test/integrations/sveltekit.test.ts' },
  astro: { test: 'test/integrations/astro.test.ts' },
  'next 15': {
    test: 'test/integrations/next15.test.ts',
  },
  'next 16': {
    test: 'test/adapters/next.test.ts',
  },
} as const satisfies Record<string, ConformanceRun>;

/** An integration that runs the checklist. */
export type ConformanceIntegration = keyof typeof CONFORMANCE_RUNS;

class Driver {
  readonly c: Client;
  readonly cookie: string;
  constructor(readonly t: ConformanceTarget) {
    this.c = new Client(t.origin);
    this.cookie = t.cookie ?? CONFORMANCE_COOKIE;
  }
  /** Our cookie's Set-Cookie values in a response (the name and its chunks), after asserting one per name. */
  ours(setCookies: readonly string[]): ParsedSetCookie[] {
    return expectOneSetCookiePerName(setCookies).filter((p) => p.name === this.cookie || p.name.startsWith(`${this.cookie}.`));
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

/** Each step against a fresh client (its own cookie jar). */
export const conformanceSteps: { readonly [Step in ConformanceStep]: (target: ConformanceTarget) => Promise<void> } = {
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
    expect(d.ours(written.setCookies).map((p) => p.name)).toEqual([d.cookie]);
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
    expect(names).toEqual(['app', d.cookie].sort());
    expect(d.c.jar.get('app')).toBe('1');
    // The change after the explicit commit went out too.
    expect(await d.read()).toMatchObject({ count: 1, note: 'second' });
  },

  async renew(t) {
    const d = new Driver(t);
    const before = await d.read('/write', true);
    const renewed = await d.read('/renew', true);
    expect(renewed.id).not.toBe(before.id);
    expect(d.ours(renewed.setCookies).map((p) => p.name)).toEqual([d.cookie]);
    expect(await d.read()).toMatchObject({ id: renewed.id, count: 1, isNew: false });
  },

  async destroy(t) {
    const d = new Driver(t);
    const before = await d.read('/write', true);
    const destroyed = await d.read('/destroy', true);
    const removed = d.ours(destroyed.setCookies);
    expect(removed.map((p) => p.name)).toEqual([d.cookie]);
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
    expect(d.ours(redirect.setCookies).map((p) => p.name)).toEqual([d.cookie]);
    const shown = await d.get('/flash');
    expect(JSON.parse(shown.text)).toEqual({ notice: 'saved' });
    // Taking it rewrote the cookie: the next request no longer sees it.
    expect(d.ours(shown.setCookies).map((p) => p.name)).toEqual([d.cookie]);
    expect(JSON.parse((await d.get('/flash')).text)).toEqual({ notice: null });
  },

  async oversize(t) {
    const d = new Driver(t);
    const before = await d.read('/write', true);
    const r = await d.post('/oversize');
    expect(r.status, r.text.slice(0, 300)).toBe(413);
    expect(JSON.parse(r.text)).toEqual({ error: 'ERR_SESSION_TOO_LARGE' });
    expect(d.ours(r.setCookies)).toEqual([]);
    // The client kept its previous cookie, and with it the previous session.
    expect(await d.read()).toMatchObject({ id: before.id, count: 1, note: null });
  },

  async tampered(t) {
    const d = new Driver(t);
    await d.read('/write', true);
    const sealed = d.c.jar.get(d.cookie)!;
    // One character of the integrity tag (after the last '*'), changed: the first one carries six whole bits.
    const at = sealed.lastIndexOf('*') + 1;
    d.c.jar.put(d.cookie, sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1));
    const read = await d.read();
    expect(read).toMatchObject({ count: 0, isNew: true, invalidReason: 'tampered' });
    // The refused cookie is removed, so the browser stops sending it.
    const removed = d.ours(read.setCookies);
    expect(removed.map((p) => p.name)).toEqual([d.cookie]);
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
    expect(d.ours(r.setCookies).map((p) => p.name)).toEqual([d.cookie]);
    expect(await d.read()).toMatchObject({ count: 2 });
  },
};

/**
 * Register the checklist as one `describe` (`conformance: <integration>`)
 * with a `test` per step, named after it, in {@link CONFORMANCE_STEPS} order;
 * a step listed in the integration's {@link ConformanceRun.fails} runs as
 * `test.fails`, named `<step> [expected to fail]`. `target` is called when the tests run (after `beforeAll`).
 */
export function describeConformance(integration: ConformanceIntegration, target: () => ConformanceTarget): void {
  const fails: Partial<Record<ConformanceStep, string>> = (CONFORMANCE_RUNS[integration] as ConformanceRun).fails ?? {};
  describe(`conformance: ${integration}`, () => {
    for (const step of CONFORMANCE_STEPS) {
      const run = () => conformanceSteps[step](target());
      if (fails[step] === undefined) test(step, run);
      // Named so a report shows it is expected to fail; the reason is in CONFORMANCE_RUNS.
      else test.fails(`${step} [expected to fail]`, run);
    }
  });
}
