/**
 * `sealed-session/astro`: a middleware that puts a typed session on
 * `context.locals.session` and commits it onto the response the page or
 * endpoint returns (Astro's session drivers are keyed by an id and never
 * see cookies, so this is middleware, not a driver).
 *
 * Nothing from `astro` is imported: the middleware's type is generic over the
 * context, so it is assignable to Astro's `MiddlewareHandler` exactly when
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
 * The part of Astro's `APIContext` the middleware uses: any `APIContext`
 * whose `App.Locals` declares `session` is one.
 *
 * @example
 * ```ts
 * // src/pages/me.ts
 * export const GET = (context: SessionContext<{ visits: number }>) => Response.json({ visits: context.locals.session.get('visits') });
 * ```
 */
export interface SessionContext<State extends object> {
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
 * export const onRequest = sealedSession(store, {
 *   onError: (error) => Response.json({ error: error.code }, { status: 413 }),
 * });
 * ```
 */
export interface SealedSessionMiddlewareOptions<Context> {
  /**
   * The response when the session cannot be committed (`ERR_SESSION_TOO_LARGE`:
   * the state outgrew the cookie budget; the client keeps its old cookie).
   * Without it the error propagates to Astro (a 500).
   */
  readonly onError?: (error: SessionError, context: Context) => Response | Promise<Response>;
}

/**
 * An Astro middleware for this store; combine it with others through Astro's
 * `sequence(...)`. A second one in the same request keeps the first's session.
 *
 * @example
 * ```ts
 * // src/middleware.ts
 * import { sealedSession } from 'sealed-session/astro';
 * import { store } from './session';
 * export const onRequest = sealedSession(store);
 *
 * // src/env.d.ts
 * declare namespace App {
 *   interface Locals { session: import('sealed-session/astro').SessionOf<typeof import('./session').store> }
 * }
 * ```
 */
export function sealedSession<S extends StandardSchemaV1>(
  store: CookieSessionStore<S>,
  options: SealedSessionMiddlewareOptions<SessionContext<SchemaState<S>>> = {},
): <Context extends SessionContext<SchemaState<S>>>(context: Context, next: () => Promise<Response>) => Promise<Response> {
  const run = store.withSession(async (_request: RequestLike, session: Session<SchemaState<S>>, context: SessionContext<SchemaState<S>>, next: () => Promise<Response>) => {
    context.locals.session = session;
    return next();
  });
  return async (context, next) => {
    if (Object.hasOwn(context.locals, 'session') && context.locals.session !== undefined) return next();
    try {
      return await run(context.request, context, next);
    } catch (err) {
      if (options.onError && isSessionError(err)) return options.onError(err, context);
      throw err;
    }
  };
}
