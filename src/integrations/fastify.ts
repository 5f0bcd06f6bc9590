/**
 * `sealed-session/fastify`: a Fastify plugin. `fastify.register(sealedSession,
 * { store })` loads the session in an `onRequest` hook onto
 * `request.session` and commits it in an `onSend` hook, before Fastify writes
 * the headers, so a commit error (`ERR_SESSION_TOO_LARGE`) goes to the app's
 * error handler (`setErrorHandler`), whose reply goes out without the session
 * cookie (the client keeps its previous one). A route that throws (Fastify's
 * `onError` hook), or a 5xx reply, does not commit its half-done change; a
 * commit the route awaited itself stays.
 *
 * Encapsulation: the plugin has fastify-plugin semantics (it is not wrapped
 * in a context of its own), so it applies to the context that registers it
 * and that context's children. Registered on the root instance, every route
 * has `request.session`; registered inside an encapsulated plugin, only that
 * plugin's routes do (elsewhere `request.session` is `null` and no cookie is
 * read or written).
 *
 * Cookies: the session's Set-Cookie values are merged with the app's own
 * (`reply.header('set-cookie', …)`, @fastify/cookie's `reply.setCookie`),
 * one per name, when Fastify writes the headers. A value the app gives the
 * session's cookie name itself wins, whenever it was set, and is reported
 * to the store's `onWarning` (`cookie-conflict`).
 *
 * Fastify is an optional peer dependency; only its types are used, and
 * fastify-plugin's three symbols are set here rather than importing it.
 *
 * @module
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { CookieSessionStore, NodeRequestLike, NodeResponseLike, Session } from 'sealed-session';

export type { SessionOf } from './types';

/**
 * Options of {@link sealedSession}, given to `app.register`.
 *
 * @example
 * ```ts
 * const options: FastifySessionOptions = { store };
 * await app.register(sealedSession, options);
 * ```
 */
export interface FastifySessionOptions {
  /**
   * The store whose session goes on `request.session`: a `CookieSessionStore`,
   * or a `RedisSessionStore` from `sealed-session/redis` (typed by what the
   * plugin calls, so that a subclass of any schema fits).
   */
  readonly store:
    | CookieSessionStore<any>
    | {
        /** The store's `handleSession(req, res)` on the raw node request and response. */
        readonly handleSession: (req: NodeRequestLike, res: NodeResponseLike) => Promise<Session<any>>;
      };
}

type WithSession = FastifyRequest & { session: Session<object> | null };

/**
 * Requests that failed: the handler (or a hook) threw, or the commit did.
 * Their reply, the error handler's, commits nothing more.
 */
const failed = new WeakSet<object>();

async function plugin(fastify: FastifyInstance, options: FastifySessionOptions): Promise<void> {
  const store = options?.store;
  if (store === undefined || typeof store.handleSession !== 'function') {
    throw new TypeError('sealed-session/fastify: register(sealedSession, { store }) needs the CookieSessionStore as `store`');
  }
  // Both stores (cookie and Redis) are CookieSessionStores and have it (@internal, so not in the published types).
  const settle = (session: object): void => (store as { settle?: (session: object) => void }).settle?.(session);
  // Registered again in a child context: the decorator is inherited.
  if (!fastify.hasRequestDecorator('session')) fastify.decorateRequest('session', null);
  fastify.addHook('onRequest', async (request, reply) => {
    // The store keeps the session on the raw response: a second registration, or the
    // route's own store.handleSession(request.raw, reply.raw), gets this one.
    (request as WithSession).session = await store.handleSession(request.raw, reply.raw);
  });
  // Fastify runs onError before the error handler: a route that threw does not commit its half-done change
  // (what it committed itself stays), neither here nor when the headers are written.
  fastify.addHook('onError', async (request) => {
    failed.add(request);
    const session = (request as WithSession).session;
    if (session !== null) settle(session);
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    const session = (request as WithSession).session;
    if (session === null || failed.has(request)) return payload;
    // A 5xx reply is a failed request too.
    if (reply.statusCode >= 500) {
      settle(session);
      return payload;
    }
    try {
      await session.commit();
    } catch (err) {
      failed.add(request);
      throw err;
    }
    return payload;
  });
}

/**
 * The Fastify plugin. Type `request.session` once, with declaration merging:
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { sealedSession, type SessionOf } from 'sealed-session/fastify';
 *
 * declare module 'fastify' {
 *   interface FastifyRequest {
 *     session: SessionOf<typeof store>;
 *   }
 * }
 *
 * const app = Fastify();
 * await app.register(sealedSession, { store });
 * app.post('/visit', async (request) => {
 *   request.session.set('visits', request.session.get('visits') + 1);
 *   return { visits: request.session.get('visits') };
 * });
 * ```
 */
export const sealedSession: FastifyPluginAsync<FastifySessionOptions> = Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'sealed-session',
  [Symbol.for('plugin-meta')]: { name: 'sealed-session', fastify: '5.x' },
});
