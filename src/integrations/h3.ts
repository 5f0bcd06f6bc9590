/**
 * `sealed-session/h3`: session functions on h3 v2 events, in h3's own style
 * (`useSession` / `updateSession` / `clearSession`), and a middleware that
 * commits after the handler.
 *
 * - `useSealedSession(event, store)`: the request's session (loaded once per
 *   event and store: a second call returns the same session). Its
 *   `commit()` writes to `event.res.headers`, h3's prepared response
 *   headers, one Set-Cookie per name.
 * - `updateSealedSession(event, store, update)`: change it and commit now.
 * - `clearSealedSession(event, store)`: end it (`destroy()`) and commit now.
 * - `app.use(sealedSession(store))`: commit whatever a handler changed, after
 *   it returns, so handlers need not commit. A commit error is thrown from
 *   the middleware: h3 answers it through the app's `onError`.
 *
 * h3 puts its prepared headers on what a handler returns (a value, an
 * `HTTPResponse` from `redirect()`, a `Response` with a status below 400);
 * a thrown error, or a returned `Response` with status 400 or more, gets
 * `event.res.errHeaders` instead, so the session cookie is not on error
 * responses.
 *
 * h3 is an optional peer dependency; this module imports nothing from it.
 *
 * @module
 */
import type { CookieSessionStore, DeepReadonly, HeadersLike, RequestLike, Session, StandardSchemaV1, SchemaState } from 'sealed-session';

export type { SessionOf } from './types';

/**
 * What the functions read of an h3 event (`H3Event` is one): the Web request
 * and the prepared response headers. The session is kept per event object,
 * so pass the same event to every call of one request.
 *
 * @example
 * ```ts
 * app.get('/me', async (event: H3EventLike) => {
 *   const session = await useSealedSession(event, store);
 *   return { user: session.get('user') ?? null };
 * });
 * ```
 */
export interface H3EventLike {
  /** The Web `Request` (`event.req`); only its `Cookie` header is read. */
  readonly req: RequestLike;
  /** h3's prepared response (`event.res`). */
  readonly res: {
    /** The headers h3 puts on the response a handler returns: the session's Set-Cookie values are appended here. */
    readonly headers: HeadersLike;
  };
}

/** Per store, the session (promise) of each event. */
const loaded = new WeakMap<object, WeakMap<object, Promise<Session<object>>>>();

function byEvent(store: object): WeakMap<object, Promise<Session<object>>> {
  let map = loaded.get(store);
  if (map === undefined) loaded.set(store, (map = new WeakMap()));
  return map;
}

/**
 * The event's session, typed from the store's schema. Commit with
 * `session.commit()`, `updateSealedSession`, or the {@link sealedSession} middleware.
 *
 * @example
 * ```ts
 * app.get('/me', async (event) => {
 *   const session = await useSealedSession(event, store);
 *   return { user: session.get('user') ?? null };
 * });
 * ```
 */
export function useSealedSession<S extends StandardSchemaV1>(event: H3EventLike, store: CookieSessionStore<S>): Promise<Session<SchemaState<S>>> {
  const map = byEvent(store);
  let session = map.get(event) as Promise<Session<SchemaState<S>>> | undefined;
  if (session === undefined) {
    session = store.handleSession(event.req, event.res.headers);
    map.set(event, session);
  }
  return session;
}

/**
 * Change the session and commit it now (throws `ERR_SESSION_INVALID` or
 * `ERR_SESSION_TOO_LARGE`, changing nothing the client holds). `update` is
 * fields to set, or a function from the current state to the next.
 *
 * @example
 * ```ts
 * await updateSealedSession(event, store, (s) => ({ ...s, visits: s.visits + 1 }));
 * await updateSealedSession(event, store, { user: 'ada' });
 * ```
 */
export async function updateSealedSession<S extends StandardSchemaV1>(
  event: H3EventLike,
  store: CookieSessionStore<S>,
  update: Partial<SchemaState<S>> | ((data: DeepReadonly<SchemaState<S>>) => SchemaState<S> | DeepReadonly<SchemaState<S>>),
): Promise<Session<SchemaState<S>>> {
  const session = await useSealedSession(event, store);
  if (typeof update === 'function') session.update(update);
  else session.update((data) => ({ ...data, ...update }) as SchemaState<S>);
  await session.commit();
  return session;
}

/**
 * End the session (`destroy()`: the cookie and its chunks are deleted) and commit now.
 *
 * @example
 * ```ts
 * app.post('/logout', async (event) => {
 *   await clearSealedSession(event, store);
 *   return redirect('/', 303);
 * });
 * ```
 */
export async function clearSealedSession<S extends StandardSchemaV1>(event: H3EventLike, store: CookieSessionStore<S>): Promise<void> {
  const session = await useSealedSession(event, store);
  session.destroy();
  await session.commit();
}

/**
 * h3 middleware: after the handler, commit the session it used (if it used
 * one). A commit error is thrown, for the app's `onError`.
 *
 * @example
 * ```ts
 * const app = new H3({ onError: (error) => Response.json({ error: 'session' }, { status: 500 }) });
 * app.use(sealedSession(store));
 * ```
 */
export function sealedSession<S extends StandardSchemaV1>(store: CookieSessionStore<S>): (event: H3EventLike, next: () => unknown) => Promise<unknown> {
  const map = byEvent(store);
  return async (event, next) => {
    let value: unknown;
    try {
      value = await next();
    } catch (err) {
      // A failed request commits nothing more (what the handler committed itself is on h3's prepared
      // headers, which h3 leaves off error responses), and its session is not reported as forgotten.
      const session = map.get(event);
      if (session !== undefined) await session.then((loaded) => store.settle(loaded), () => {});
      throw err;
    }
    const session = map.get(event);
    if (session !== undefined) await (await session).commit();
    return value;
  };
}
