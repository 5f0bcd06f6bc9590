/**
 * `sealed-session/express`: `app.use(sessionMiddleware(store))` puts the
 * request's session on `req.session` and commits it before the response's
 * headers go out, whatever sends them: `res.json`, `res.send`,
 * `res.redirect`, `res.end`, `res.write` (streaming), `res.writeHead`, or an
 * error handler's response.
 *
 * The first of those calls waits for the commit (one promise hop), then runs;
 * calls made meanwhile (more `res.write` chunks, `res.end`) are queued and
 * run in order. A commit that fails (the state is over the cookie budget,
 * `ERR_SESSION_TOO_LARGE`) sends nothing of the response the route built
 * (its status becomes 500 and the headers it set are removed): the error
 * goes to `next(err)`, so the application's error handler answers,
 * and the client keeps its previous cookie.
 *
 * A response that goes out with a 5xx status (Express' answer to a route
 * that threw, and most error handlers') is a failed request: the session's
 * half-done change is not committed onto it; a commit the route awaited
 * itself stays.
 *
 * Express is an optional peer dependency; this module imports nothing from
 * it (nor from the core) at run time.
 *
 * @module
 */
import type { CookieSessionStore, NodeRequestLike, NodeResponseLike, Session, SessionError, StandardSchemaV1, SchemaState } from 'sealed-session';

export type { SessionOf } from './types';

/**
 * What Express passes as `next`: call it with nothing to go on, or with an
 * error for the app's error handlers.
 *
 * @example
 * ```ts
 * const onError = (err: SessionError, _req: NodeRequestLike, _res: NodeResponseLike, next: NextLike) => next(err);
 * ```
 */
export type NextLike = (err?: unknown) => void;

/**
 * Options of {@link sessionMiddleware}.
 *
 * @example
 * ```ts
 * const options: ExpressSessionOptions = {
 *   // The route's response was not sent: answer the session error here.
 *   onError: (err, _req, res) => {
 *     res.statusCode = err.code === 'ERR_SESSION_TOO_LARGE' ? 413 : 500;
 *     res.end(JSON.stringify({ error: err.code }));
 *   },
 * };
 * app.use(sessionMiddleware(store, options));
 * ```
 */
export interface ExpressSessionOptions {
  /**
   * Called when committing failed before the response went out (the state
   * over budget: `ERR_SESSION_TOO_LARGE`). The response the route built was
   * not sent; answer here, or call `next(err)`. Default: `next(err)`, so the
   * application's Express error handlers answer.
   */
  readonly onError?: (err: SessionError, req: NodeRequestLike, res: NodeResponseLike, next: NextLike) => void;
}

/**
 * The middleware {@link sessionMiddleware} returns: an Express middleware,
 * plus `of(req)` for a typed session without declaration merging.
 *
 * @example
 * ```ts
 * const sessions: SessionMiddleware<{ visits: number }> = sessionMiddleware(store);
 * app.use(sessions);
 * app.get('/visits', (req, res) => {
 *   res.json({ visits: sessions.of(req).get('visits') });
 * });
 * ```
 */
export interface SessionMiddleware<State extends object> {
  /** Load the session onto `req.session` and hold the response's headers until it is committed; calls `next()` (or `next(err)`). */
  (req: NodeRequestLike, res: NodeResponseLike, next: NextLike): Promise<void>;
  /**
   * The session the middleware put on this request, typed from the store's
   * schema, without declaring `req.session` globally. Throws if the
   * middleware did not run for `req`.
   */
  of(req: NodeRequestLike): Session<State>;
}

/** What the gate asks of a store: `settle`, so a failed request's session is not committed at writeHead either. */
interface Settler {
  settle(session: Session<object>): void;
}

/** One response's gate: its sessions (with their stores), what waits for their commit, where a failure goes. */
interface Gate {
  state: 'open' | 'committing' | 'done';
  readonly sessions: Array<Session<object>>;
  readonly stores: Settler[];
  readonly queue: Array<() => unknown>;
  readonly fail: (err: unknown) => void;
}

const GATE: unique symbol = Symbol('sealed-session.express');
type Gated = NodeResponseLike & {
  [GATE]?: Gate;
  write?: (...args: unknown[]) => unknown;
  end?: (...args: unknown[]) => unknown;
  getHeaderNames?: () => string[];
  removeHeader?: (name: string) => void;
  statusCode?: number;
};

/**
 * Express middleware: loads the session, sets `req.session`, and commits it
 * before the headers are written.
 *
 * Type `req.session` with declaration merging (once, in the app):
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { sessionMiddleware, type SessionOf } from 'sealed-session/express';
 *
 * declare global {
 *   namespace Express {
 *     interface Request {
 *       session: SessionOf<typeof store>;
 *     }
 *   }
 * }
 *
 * const app = express();
 * app.use(sessionMiddleware(store));
 * app.post('/visit', (req, res) => {
 *   req.session.set('visits', req.session.get('visits') + 1);
 *   res.json({ visits: req.session.get('visits') }); // committed before the headers
 * });
 * ```
 */
export function sessionMiddleware<S extends StandardSchemaV1>(
  store: CookieSessionStore<S>,
  options: ExpressSessionOptions = {},
): SessionMiddleware<SchemaState<S>> {
  const onError = options.onError;
  const sessions = new WeakMap<object, Session<SchemaState<S>>>();
  const middleware = async (req: NodeRequestLike, res: NodeResponseLike, next: NextLike): Promise<void> => {
    let session: Session<SchemaState<S>>;
    try {
      // A second call for the same response (this middleware mounted twice, or the route's own
      // store.handleSession(req, res)) gets the same session: the store keeps it on the response.
      session = await store.handleSession(req, res);
    } catch (err) {
      next(err);
      return;
    }
    sessions.set(req, session);
    (req as { session?: unknown }).session = session;
    gate(res as Gated, session, store as unknown as Settler, (err) => (onError ? onError(err as SessionError, req, res, next) : next(err)));
    next();
  };
  return Object.assign(middleware, {
    of(req: NodeRequestLike): Session<SchemaState<S>> {
      const session = sessions.get(req);
      if (session === undefined) throw new Error('sealed-session/express: no session on this request; app.use(sessionMiddleware(store)) must run before this route');
      return session;
    },
  });
}

/**
 * Make `writeHead`, `write` and `end` of this response wait for the commit of
 * its sessions. Own properties of this response only (never the prototype).
 */
function gate(res: Gated, session: Session<object>, store: Settler, fail: (err: unknown) => void): void {
  const known = res[GATE];
  if (known !== undefined) {
    if (!known.sessions.includes(session)) {
      known.sessions.push(session);
      known.stores.push(store);
    }
    return;
  }
  const before = new Set(res.getHeaderNames?.() ?? []);
  const g: Gate = {
    state: 'open',
    sessions: [session],
    stores: [store],
    queue: [],
    fail: (err) => {
      // The route's response is dropped whole: its status, the headers it set (Location, its own cookies), its body.
      if (!res.headersSent) {
        for (const name of res.getHeaderNames?.() ?? []) if (!before.has(name)) res.removeHeader?.(name);
        res.statusCode = 500;
      }
      fail(err);
    },
  };
  res[GATE] = g;
  const writeHead = res.writeHead;
  const write = res.write!;
  const end = res.end!;
  res.writeHead = function (this: unknown, ...args: unknown[]) {
    return through(g, () => writeHead.apply(res, args as [number]), res, typeof args[0] === 'number' ? args[0] : res.statusCode);
  };
  res.write = function (this: unknown, ...args: unknown[]) {
    return through(g, () => write.apply(res, args), true, res.statusCode);
  };
  res.end = function (this: unknown, ...args: unknown[]) {
    return through(g, () => end.apply(res, args), res, res.statusCode);
  };
}

function through(g: Gate, call: () => unknown, queued: unknown, status: number | undefined): unknown {
  if (g.state === 'done') return call();
  g.queue.push(call);
  if (g.state === 'open') {
    g.state = 'committing';
    void commitAll(g, status !== undefined && status >= 500);
  }
  return queued;
}

/**
 * Commit the response's sessions, then let what waited run. A 5xx response
 * is a failed request (Express' answer to a route that threw, and most error
 * handlers'; Express tells no middleware that a route threw): its half-done
 * change is not committed, only what the route committed itself stays.
 */
async function commitAll(g: Gate, failed: boolean): Promise<void> {
  try {
    if (failed) for (let i = 0; i < g.sessions.length; i++) g.stores[i]!.settle(g.sessions[i]!);
    else for (const session of g.sessions) await session.commit();
  } catch (err) {
    // Nothing of the route's response went out: the error handler answers instead.
    g.state = 'done';
    g.queue.length = 0;
    g.fail(err);
    return;
  }
  g.state = 'done';
  try {
    for (const call of g.queue.splice(0)) call();
  } catch (err) {
    // What node:http would have thrown to the route (a write after end…): Express' error handling takes it.
    g.fail(err);
  }
}
