/**
 * `CookieSessionStore`: the session store with its adapters. `load` comes from
 * the framework-free core (`session/store.ts`); `handleSession` and
 * `withSession` only pick the adapter that moves headers for the runtime at
 * hand. Every runtime goes through the same `load` and `commit`.
 *
 * @module
 */
import { SessionError, isSessionError } from '../errors';
import { isPromiseLike } from '../util/maybe-promise';
import type { CommitSink, Session } from '../session/session';
import type { CookieWrite } from '../session/writer';
import { mergeWrites } from './merge';
import type { ResolvedStoreOptions } from '../session/options';
import { SessionStore } from '../session/store';
import type { FlashState, SchemaState } from '../session/options';
import type { Json, JsonObject, StandardSchemaV1 } from '../session/schema';
import { NodeSink, commitOnWriteHead, isNodePair, nodeCookieHeader } from './node';
import { CookieStoreSink, isCookieStore, storeCookieHeader } from './next';
import { WriteContext, headersOfTarget, isHeaders, isWebRequest, isWebResponse, webCookieHeader, writeToHeaders, writeToResponse } from './web';
import { track, uncommittedMessage, untrack, type Tracker } from './uncommitted';
import { warn } from './warn';
import type { CookieStoreLike, HeadersLike, NodeRequestLike, NodeResponseLike, RequestLike, ResponseLike } from './types';

/**
 * `store.handleSession(...)`: load the session of a request and tie its
 * `commit()` to the response. One function for every runtime.
 *
 * @typeParam State the session state type (`InferState<typeof store>`).
 * @typeParam Flash the flash values' type (`FlashState` of the store's `flashSchema`; any JSON without one).
 *
 * @example
 * ```ts
 * const handle: HandleSession<{ visits: number }> = store.handleSession;
 * const session = await handle(req, res); // node:http
 * const session2 = await handle(request, response); // Fetch
 * const session3 = await handle(await cookies()); // Next.js
 * ```
 */
export interface HandleSession<State extends object, Flash extends object = Record<string, Json>> {
  /** node:http, Express, Next.js Pages API routes. Uncommitted changes are committed when headers are written. */
  (req: NodeRequestLike, res: NodeResponseLike): Promise<Session<State, Flash>>;
  /** Fetch API: route handlers, middleware (`NextRequest`, `NextResponse`), edge runtimes, Bun, Deno, Hono. Without a response, `commit()` only returns the values. */
  (request: RequestLike, response?: ResponseLike | HeadersLike): Promise<Session<State, Flash>>;
  /** Next.js `await cookies()`: server actions, route handlers, server components (read only there). */
  (cookies: CookieStoreLike): Promise<Session<State, Flash>>;
}


/**
 * Where the commits of a Fetch request's session write: the responses or
 * Headers given to `store.fetch` (each gets every commit, by the one rule of
 * `merge.ts`), and a collection of everything written, which `withSession`
 * (and the integrations built like it) put onto the response finally sent.
 */
class FetchSink implements CommitSink {
  readonly targets: Array<ResponseLike | HeadersLike> = [];
  /** Every cookie the session wrote, one per name, latest last. */
  collected: readonly CookieWrite[] = NONE;
  readonly ctx: WriteContext;
  /** A change no commit has written yet. */
  dirty = false;
  /** Set when a forgotten commit of this session is watched for. */
  tracker: Tracker | undefined;

  constructor(options: ResolvedStoreOptions) {
    this.ctx = new WriteContext(options);
  }

  check(): void {}

  pending(): void {
    this.dirty = true;
    if (this.tracker) this.tracker.dirty = true;
  }

  write(cookies: readonly CookieWrite[]): void {
    for (const target of this.targets) writeToResponse(target, cookies, this.ctx);
    if (cookies.length > 0) this.collected = this.collected.length === 0 ? cookies : mergeWrites(this.collected, cookies);
    this.dirty = false;
    if (this.tracker) this.tracker.dirty = false;
  }
}

/** A response with a 5xx status: the request failed. */
function failedStatus(response: ResponseLike): boolean {
  const status = (response as { readonly status?: unknown }).status;
  return typeof status === 'number' && status >= 500;
}

/** What an object (a Request, a cookie store) holds under `key`. */
function heldOn<T>(holder: object, key: symbol): T | undefined {
  return (holder as { [key: symbol]: T | undefined })[key];
}

/**
 * Keep `value` on `holder` under `key`: not enumerable (a spread or a log of
 * the request does not show it), and nothing when the object cannot take it
 * (frozen): then every call loads its own session, as before.
 */
function holdOn(holder: object, key: symbol, value: unknown): void {
  try {
    Object.defineProperty(holder, key, { value, configurable: true });
  } catch {
    // Not extensible.
  }
}

/** Where adapters keep the sink they gave a session, on the session itself (no WeakMap work per request). */
const SINK: unique symbol = Symbol('sealed-session.sink');
type WithSink = { [SINK]?: FetchSink | CookieStoreSink | NodeSink };

function sinkOf(session: object): FetchSink | CookieStoreSink | NodeSink | undefined {
  return (session as WithSink)[SINK];
}

function attach(session: Session<object>, sink: FetchSink | CookieStoreSink | NodeSink): void {
  session.attachSink(sink);
  (session as WithSink)[SINK] = sink;
}

const NONE: readonly CookieWrite[] = [];

function adapterError(): SessionError {
  return new SessionError(
    'ERR_SESSION_ADAPTER',
    'sealed-session: handleSession takes one of: (req, res) from node:http/Express, as store.node(req, res); (request) or (request, response | headers) from the Fetch API, as store.fetch(request, responseOrHeaders); or a Next.js cookie store (await cookies()), as store.next(cookieStore)',
  );
}

/**
 * A stateless session store: the whole session lives in an encrypted,
 * authenticated cookie (or a few), checked against a schema and against
 * lifetimes sealed inside it.
 *
 * @typeParam S the schema; the session state is its output type.
 * @typeParam F the flash schema (`flashSchema`), if any; flash values are typed from its output.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { CookieSessionStore } from 'sealed-session';
 *
 * const store = new CookieSessionStore({
 *   keys: process.env.SESSION_SECRET!,
 *   schema: z.object({ userId: z.string().optional(), visits: z.number().default(0) }),
 *   cookie: { name: '__Host-session' },
 *   ttl: 7 * 24 * 3600,
 *   idleTimeout: 30 * 60,
 * });
 *
 * const session = await store.handleSession(req, res); // or (request, response), or (await cookies())
 * session.set('visits', session.get('visits') + 1);
 * await session.commit();
 * ```
 */
export class CookieSessionStore<
  S extends StandardSchemaV1 = StandardSchemaV1<JsonObject, JsonObject>,
  F extends StandardSchemaV1 | undefined = StandardSchemaV1 | undefined,
> extends SessionStore<S, F> {
  /**
   * Where this store keeps the session it loaded for a node response, on the
   * response itself: a second `handleSession(req, res)` (a middleware, then
   * the route) gets the same session, not a copy whose stale state a due
   * re-issue would write over the route's at writeHead.
   */
  readonly #onResponse: symbol = Symbol('sealed-session.session');

  /**
   * The same for a Fetch `Request` and a Next.js cookie store: a second
   * `handleSession(request…)` or `handleSession(await cookies())` of one
   * request gets the same session, so its commit cannot write a stale copy's
   * state over the first's change.
   */
  readonly #onRequest: symbol = Symbol('sealed-session.request-session');

  /**
   * Load the session of a request and bind `commit()` to its response: one
   * call for node:http (`req, res`), Fetch (`request, response | headers`) and
   * Next.js (`await cookies()`). Detached use works: `const { handleSession } = store`.
   *
   * `commit()` adds to the response's Set-Cookie values, one per cookie
   * name (its earlier values replaced; a value the application set for the
   * session's name itself wins, reported to `onWarning`), and returns what
   * it wrote. Calling it again in the same request returns the same
   * session: for the same node response, the same `Request` object, or the
   * same Next.js cookie store (a middleware, then the route).
   *
   * @example
   * ```ts
   * // node:http / Express
   * const session = await store.handleSession(req, res);
   * session.set('visits', session.get('visits') + 1);
   * await session.commit();
   * res.end('ok');
   *
   * // Next.js server action
   * const current = await store.handleSession(await cookies());
   * current.renew();
   * current.set('userId', user.id);
   * await current.commit();
   * ```
   */
  readonly handleSession: HandleSession<SchemaState<S>, FlashState<F>> = (first: unknown, second?: unknown): Promise<Session<SchemaState<S>, FlashState<F>>> => {
    if (isNodePair(first, second)) return this.node(first, second as NodeResponseLike);
    if (isWebRequest(first)) {
      if (second !== undefined && !isWebResponse(second) && !isHeaders(second)) return Promise.reject(adapterError());
      return this.fetch(first, second);
    }
    if (isCookieStore(first) && second === undefined) return this.next(first);
    return Promise.reject(adapterError());
  };

  /**
   * node:http, Express, Next.js Pages API routes: load the session of `req`
   * and bind `commit()` to `res`. Uncommitted changes are committed when
   * `res` writes its headers; a second call for the same response returns
   * the same session.
   *
   * @example
   * ```ts
   * const session = await store.node(req, res);
   * session.set('visits', session.get('visits') + 1);
   * res.end('ok');
   * ```
   */
  readonly node = (req: NodeRequestLike, res: NodeResponseLike): Promise<Session<SchemaState<S>, FlashState<F>>> =>
    this.#once(res, this.#onResponse, () => nodeCookieHeader(req), (session) => {
      // Hook writeHead only once there is something to write (a change, or a due re-issue).
      const sink = new NodeSink(res, session, this.options);
      attach(session, sink);
      if (sink.due) commitOnWriteHead(res, sink);
    }, true);

  /**
   * The session a request's `holder` (a node response, a Fetch `Request`, a
   * Next.js cookie store) keeps under `key`; else the one loaded from
   * `cookieHeader()` (read only then, inside the promise: a bad argument
   * rejects), kept there and given its sink by `bind`. A second call
   * that raced this one while it loaded asynchronously gets the first
   * session. `sealKeys`: make sure sealing keys exist first, so that a commit
   * at writeHead time is synchronous (node). No await when loading was
   * synchronous: the caller's await is the request's only promise hop.
   */
  async #once(
    holder: object,
    key: symbol,
    cookieHeader: () => string | null | undefined,
    bind: (session: Session<SchemaState<S>, FlashState<F>>) => void,
    sealKeys = false,
  ): Promise<Session<SchemaState<S>, FlashState<F>>> {
    const known = heldOn<Session<SchemaState<S>, FlashState<F>>>(holder, key);
    if (known !== undefined) return known;
    if (sealKeys) {
      const ready = this.options.ring.current.sealKeys();
      if (isPromiseLike(ready)) await ready;
    }
    const loaded = this.loadNow(cookieHeader());
    const session = isPromiseLike(loaded) ? await loaded : loaded;
    const raced = heldOn<Session<SchemaState<S>, FlashState<F>>>(holder, key);
    if (raced !== undefined) return raced;
    holdOn(holder, key, session);
    bind(session);
    return session;
  }

  /**
   * Fetch API (route handlers, middleware, edge runtimes, Bun, Deno, Hono):
   * load the session of `request`; with a `Response` or `Headers`, `commit()`
   * appends its Set-Cookie values there, and without, it only returns them.
   * A second call for the same `Request` object returns the same session
   * (and adds the response it is given, if any, to where commits write).
   *
   * @example
   * ```ts
   * const headers = new Headers();
   * const session = await store.fetch(request, headers);
   * session.set('visits', session.get('visits') + 1);
   * await session.commit();
   * return new Response('ok', { headers });
   * ```
   */
  readonly fetch = async (request: RequestLike, responseOrHeaders?: ResponseLike | HeadersLike): Promise<Session<SchemaState<S>, FlashState<F>>> => {
    const session = await this.#ofRequest(request, true);
    const sink = sinkOf(session) as FetchSink;
    if (responseOrHeaders !== undefined && !sink.targets.includes(responseOrHeaders)) sink.targets.push(responseOrHeaders);
    return session;
  };

  /**
   * The session of a Fetch request: loaded once per `Request` object (kept on
   * it, under this store's own key), so every adapter call of one request
   * shares it; `tracked`: watched for a forgotten commit (not for
   * `withSession`, which commits by itself).
   */
  #ofRequest(request: RequestLike, tracked: boolean): Promise<Session<SchemaState<S>, FlashState<F>>> {
    return this.#once(request, this.#onRequest, () => webCookieHeader(request), (session) => {
      const sink = new FetchSink(this.options);
      if (tracked) sink.tracker = track(session, this.options, 'fetch');
      attach(session, sink);
    });
  }

  /**
   * Next.js `await cookies()` (server actions, route handlers; read only in
   * server components): load the session from the cookie store, and
   * `commit()` sets its cookies there. A second call with the same cookie
   * store (`await cookies()` gives the same one within a request) returns
   * the same session.
   *
   * @example
   * ```ts
   * const session = await store.next(await cookies());
   * session.renew();
   * await session.commit();
   * ```
   */
  readonly next = (cookieStore: CookieStoreLike): Promise<Session<SchemaState<S>, FlashState<F>>> =>
    this.#once(cookieStore, this.#onRequest, () => storeCookieHeader(cookieStore, this.options.cookie.name, this.options.legacy?.cookieName), (session) => {
      const sink = new CookieStoreSink(cookieStore, this.options);
      sink.tracker = track(session, this.options, 'cookie-store');
      attach(session, sink);
    });

  /**
   * Wrap a Fetch handler so the session is committed onto the Response it
   * returns: forgetting to commit is the most common session bug. Cookies of
   * a `session.commit()` the handler ran itself land there too. A response
   * with immutable headers (`Response.redirect`) is copied first; a
   * `Response.error()` is returned as it is (a network error carries no
   * cookies, so nothing is committed onto it, and a change is reported as
   * `uncommitted`). A handler that throws, or returns a 5xx response, has
   * its pending change left uncommitted (a failed request); the cookies of
   * commits it ran itself still go on a 5xx response.
   *
   * @example
   * ```ts
   * // app/api/visits/route.ts
   * export const POST = store.withSession(async (request, session) => {
   *   session.set('visits', session.get('visits') + 1);
   *   return Response.json({ visits: session.get('visits') });
   * });
   * ```
   */
  readonly withSession = <Req extends RequestLike, Res extends ResponseLike, Args extends unknown[]>(
    handler: (request: Req, session: Session<SchemaState<S>, FlashState<F>>, ...args: Args) => Res | Promise<Res>,
  ): ((request: Req, ...args: Args) => Promise<Res>) => {
    return async (request: Req, ...args: Args): Promise<Res> => {
      const session = await this.collect(request);
      const response = await handler(request, session, ...args);
      if ((response as { readonly type?: unknown }).type === 'error') {
        // A network error carries no cookies: nothing is committed onto it, and a change is lost.
        const sink = sinkOf(session);
        if (sink instanceof FetchSink && sink.dirty) warn(this.options, 'uncommitted', this.options.cookie.name, uncommittedMessage('withSession'));
        return response;
      }
      // A 5xx response is a failed request: its half-done change is not committed (the handler's own commits stay).
      return this.finishResponse(session, response, !failedStatus(response));
    };
  };

  /**
   * @internal The session of a Fetch request whose commits are collected and
   * put onto the response finally sent with {@link finishResponse}: what
   * `withSession` and the integrations built like it (Hono) use.
   */
  collect(request: RequestLike): Promise<Session<SchemaState<S>>> {
    return this.#ofRequest(request, false);
  }

  /**
   * @internal Commit a session from {@link collect} (unless `commit` is false)
   * and put every cookie it wrote onto `response`, by the one rule of
   * `merge.ts`. A response with immutable headers (`Response.redirect()`, a
   * fetched response) comes back copied.
   */
  async finishResponse<Res extends ResponseLike>(session: Session<SchemaState<S>>, response: Res, commit = true): Promise<Res> {
    const sink = sinkOf(session);
    if (!(sink instanceof FetchSink)) throw adapterError();
    if (commit) {
      const committed = session.commitNow();
      if (isPromiseLike(committed)) await committed;
    }
    return deliver(response, sink);
  }

  /**
   * @internal The request of this session failed (an integration saw the
   * handler throw): what is still pending is not committed automatically
   * (node: not at writeHead), and it is not reported as forgotten.
   */
  settle(session: object): void {
    const sink = sinkOf(session);
    if (sink instanceof NodeSink) sink.settled = true;
    else if (sink instanceof FetchSink || sink instanceof CookieStoreSink) {
      sink.dirty = false;
      untrack(sink.tracker);
    }
  }
}

/**
 * Put everything a session collected onto the response finally sent, by the
 * one rule of `merge.ts`; a response with immutable headers
 * (`Response.redirect()`, a fetched response) is copied first.
 */
function deliver<Res extends ResponseLike>(response: Res, sink: FetchSink): Res {
  const writes = sink.collected;
  if (writes.length === 0) return response;
  try {
    writeToResponse(response, writes, sink.ctx);
    return response;
  } catch (err) {
    if (!isSessionError(err, 'ERR_SESSION_ADAPTER')) throw err;
    // Immutable headers (Response.redirect(), a fetched response): the same response, with headers we may change.
    const original = response as unknown as Response;
    const copy = new Response(original.body, original);
    writeToHeaders(copy.headers, writes, sink.ctx);
    return copy as unknown as Res;
  }
}
