/**
 * `sealed-session/hono`: a Hono middleware that loads the session into
 * `c.var.session` (typed through the app's `Variables`) and commits it onto
 * the response after `next()`, with the cookies of any commit the handler
 * ran itself, next to the app's own cookies, one Set-Cookie per name (a
 * value the app gives the session's name itself wins, reported to the
 * store's `onWarning`), including on responses whose headers are immutable
 * (`Response.redirect`, a fetched response: they are copied).
 *
 * A commit that fails (`ERR_SESSION_TOO_LARGE`) replaces the handler's
 * response with the one `onError` returns, or, without `onError`, is thrown
 * to the app's `app.onError`. The handler's response is dropped either way;
 * headers the handler set through `c.header` / `setCookie` / `c.redirect`
 * are Hono's "prepared" headers, which Hono puts on any response it builds
 * for the request, the error response included. The session cookie is not
 * on it: the client keeps its previous one.
 *
 * A handler that threw (Hono's onError answered, `c.error` is set) or a 5xx
 * response does not commit its half-done change; a commit the handler
 * awaited itself stays.
 *
 * Hono is an optional peer dependency; only its types are used.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { CookieSessionStore, Session, SessionError, StandardSchemaV1, SchemaState } from 'sealed-session';
import type { SessionOf } from './types';

export type { SessionOf } from './types';

/**
 * The `Env` of an app using the middleware: `new Hono<SessionEnv<typeof store>>()`.
 *
 * @example
 * ```ts
 * const app = new Hono<SessionEnv<typeof store>>();
 * app.use(sessionMiddleware(store));
 * app.get('/', (c) => c.json({ visits: c.var.session.get('visits') }));
 * ```
 */
export type SessionEnv<T> = {
  /** Hono's per-request variables (`c.var`, `c.get`). */
  Variables: {
    /** The request's session, set by {@link sessionMiddleware}, typed from the store's schema. */
    session: SessionOf<T>;
  };
};

/**
 * Options of {@link sessionMiddleware}.
 *
 * @example
 * ```ts
 * const options: HonoSessionOptions = {
 *   // The session outgrew the cookie budget: answer it here (the client keeps its previous cookie).
 *   onError: (err, c) => c.json({ error: err.code }, 413),
 * };
 * app.use(sessionMiddleware(store, options));
 * ```
 */
export interface HonoSessionOptions {
  /**
   * The response to send when committing failed (`ERR_SESSION_TOO_LARGE`).
   * Default: the error is thrown to the app's `app.onError`.
   */
  readonly onError?: (err: SessionError, c: Context) => Response | Promise<Response>;
}

/** Per store, the session loaded for each request, so a second middleware (a sub-app's) shares it. */
const loaded = new WeakMap<object, WeakMap<object, Session<object>>>();

/**
 * Hono middleware: `c.var.session` for every later handler, committed after them.
 *
 * @example
 * ```ts
 * const app = new Hono<SessionEnv<typeof store>>();
 * app.use(sessionMiddleware(store, { onError: (err, c) => c.json({ error: err.code }, 413) }));
 * app.post('/visit', (c) => {
 *   c.var.session.set('visits', c.var.session.get('visits') + 1);
 *   return c.json({ visits: c.var.session.get('visits') });
 * });
 * ```
 */
export function sessionMiddleware<S extends StandardSchemaV1>(
  store: CookieSessionStore<S>,
  options: HonoSessionOptions = {},
): MiddlewareHandler<{
  /** What the middleware adds to Hono's per-request variables. */
  Variables: {
    /** The request's session (`c.var.session`), typed from the store's schema. */
    session: Session<SchemaState<S>>;
  };
}> {
  const onError = options.onError;
  let byRequest = loaded.get(store);
  if (byRequest === undefined) loaded.set(store, (byRequest = new WeakMap()));
  const sessions = byRequest;
  return async (c, next) => {
    const known = sessions.get(c.req.raw) as Session<SchemaState<S>> | undefined;
    if (known !== undefined) {
      // An outer middleware of the same store loaded it, and commits it.
      c.set('session', known);
      await next();
      return;
    }
    // The store collects every commit of this session, the handler's own included, for the response sent at the end.
    const session = await store.collect(c.req.raw);
    sessions.set(c.req.raw, session);
    c.set('session', session);
    await next();
    // A handler that threw (Hono's onError answered: c.error is set), or a 5xx response, is a failed request:
    // its half-done change is not committed; what it committed itself stays.
    const ok = c.error === undefined && c.res.status < 500;
    let response: Response;
    try {
      response = await store.finishResponse(session, c.res, ok);
    } catch (err) {
      // Drop the handler's response, so Hono does not merge its headers into the error response.
      c.res = undefined as unknown as Response;
      if (onError === undefined) throw err;
      c.res = await onError(err as SessionError, c);
      return;
    }
    if (response !== c.res) {
      // A copy of a response with immutable headers: set it without Hono merging the old one's headers into it.
      c.res = undefined as unknown as Response;
      c.res = response;
    }
  };
}
