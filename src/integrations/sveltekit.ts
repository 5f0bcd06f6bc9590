/**
 * `sealed-session/sveltekit`: a `handle` hook that puts a typed session on
 * `event.locals.session` and commits it onto the response before SvelteKit
 * sends it (redirects and error pages included).
 *
 * Nothing from `@sveltejs/kit` is imported: the hook's type is generic over
 * the request event, so it is assignable to Kit's `Handle` exactly when
 * `App.Locals` declares `session` with this store's session type.
 *
 * @module
 */
import { isSessionError, type CookieSessionStore, type RequestLike, type Session, type SessionError, type StandardSchemaV1, type SchemaState } from 'sealed-session';

/**
 * The session type of a store: what `App.Locals['session']` declares.
 *
 * @example
 * ```ts
 * declare global {
 *   namespace App {
 *     interface Locals { session: SessionOf<typeof store> } // Session<{ user?: string; visits: number }>
 *   }
 * }
 * ```
 */
export type SessionOf<Store> = Store extends CookieSessionStore<infer S> ? Session<SchemaState<S>> : never;

/**
 * The part of Kit's `RequestEvent` the hook uses: any `RequestEvent` whose
 * `App.Locals` declares `session` is one.
 *
 * @example
 * ```ts
 * // src/routes/+page.server.ts
 * export const load = (event: SessionEvent<{ visits: number }>) => ({ visits: event.locals.session.get('visits') });
 * ```
 */
export interface SessionEvent<State extends object> {
  /** The request; only its `Cookie` header is read. */
  readonly request: RequestLike;
  /** `App.Locals`, which must declare `session` with this store's session type. */
  readonly locals: {
    /** The session of this request, set by the integration. */
    session: Session<State>;
  };
}

/**
 * Options of {@link sealedSession}.
 *
 * @example
 * ```ts
 * export const handle = sealedSession(store, {
 *   onError: (error) => new Response(JSON.stringify({ error: error.code }), { status: 413, headers: { 'content-type': 'application/json' } }),
 * });
 * ```
 */
export interface SealedSessionHandleOptions<Event> {
  /**
   * The response when the session cannot be committed (`ERR_SESSION_TOO_LARGE`:
   * the state outgrew the cookie budget; the client keeps its old cookie).
   * Without it the error propagates to Kit, which answers 500 through `handleError`.
   */
  readonly onError?: (error: SessionError, event: Event) => Response | Promise<Response>;
}

/**
 * A SvelteKit `handle` hook for this store. Combine it with others through
 * Kit's `sequence(...)`; a second one for the same request keeps the first's session.
 *
 * @example
 * ```ts
 * // src/hooks.server.ts
 * import { sealedSession } from 'sealed-session/sveltekit';
 * import { store } from '$lib/server/session';
 * export const handle = sealedSession(store);
 *
 * // src/app.d.ts
 * import type { SessionOf } from 'sealed-session/sveltekit';
 * declare global {
 *   namespace App {
 *     interface Locals { session: SessionOf<typeof import('$lib/server/session').store> }
 *   }
 * }
 * ```
 */
export function sealedSession<S extends StandardSchemaV1>(
  store: CookieSessionStore<S>,
  options: SealedSessionHandleOptions<SessionEvent<SchemaState<S>>> = {},
): <Event extends SessionEvent<SchemaState<S>>>(input: {
  event: Event;
  resolve: (event: Event) => Response | Promise<Response>;
}) => Promise<Response> {
  const run = store.withSession(async (_request: RequestLike, session: Session<SchemaState<S>>, event: SessionEvent<SchemaState<S>>, resolve: () => Response | Promise<Response>) => {
    event.locals.session = session;
    return resolve();
  });
  return async ({ event, resolve }) => {
    // Already loaded by an earlier hook of this request (`sequence(sealedSession(store), …, sealedSession(store))`).
    if (Object.hasOwn(event.locals, 'session') && event.locals.session !== undefined) return resolve(event);
    try {
      return await run(event.request, event, () => resolve(event));
    } catch (err) {
      if (options.onError && isSessionError(err)) return options.onError(err, event);
      throw err;
    }
  };
}
