/**
 * `sealed-session/fastify`: a Fastify plugin. `fastify.register(sealedSession,
 * { store })` loads the session in an `onRequest` hook onto
 * `request.session` and commits it in an `onSend` hook, before Fastify writes
 * the headers, so a commit error (`ERR_SESSION_TOO_LARGE`) goes to the app's
 * error handler (`setErrorHandler`), whose reply goes out without the session
 * cookie (the client keeps its previous one).
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
 * session's cookie name itself wins, unless the session changes after it
 * (the onSend commit's values replace earlier ones of their names).
 *
 * Fastify is an optional peer dependency; only its types are used, and
 * fastify-plugin's three symbols are set here rather than importing it.
 *
 * @module
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { CookieSessionStore, NodeRequestLike, NodeResponseLike, Session } from 'sealed-session';

export type { SessionOf } from './types';

/** Options of {@link sealedSession}. */
export interface FastifySessionOptions {
  /**
   * The store whose session goes on `request.session`: a `CookieSessionStore`,
   * or a `RedisSessionStore` from `sealed-session/redis` (typed by what the
   * plugin calls, so that a subclass of any schema fits).
   */
  readonly store: CookieSessionStore<any> | { readonly handleSession: (req: NodeRequestLike, res: NodeResponseLike) => Promise<Session<any>> };
}

type WithSession = FastifyRequest & { session: Session<object> | null };

/** Requests whose commit failed: the error handler's reply must not try again. */
const failed = new WeakSet<object>();

async function plugin(fastify: FastifyInstance, options: FastifySessionOptions): Promise<void> {
  const store = options?.store;
  if (store === undefined || typeof store.handleSession !== 'function') {
    throw new TypeError('sealed-session/fastify: register(sealedSession, { store }) needs the CookieSessionStore as `store`');
  }
  // Registered again in a child context: the decorator is inherited.
  if (!fastify.hasRequestDecorator('session')) fastify.decorateRequest('session', null);
  fastify.addHook('onRequest', async (request, reply) => {
    // The store keeps the session on the raw response: a second registration, or the
    // route's own store.handleSession(request.raw, reply.raw), gets this one.
    (request as WithSession).session = await store.handleSession(request.raw, reply.raw);
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    const session = (request as WithSession).session;
    if (session === null || failed.has(request)) return payload;
    let written: string[];
    try {
      written = await session.commit();
    } catch (err) {
      failed.add(request);
      throw err;
    }
    // An onSend hook that ran before this one (@fastify/cookie's) may have copied an earlier
    // commit's cookie from the raw response into the reply's own Set-Cookie list, where it
    // would win over this commit's when the headers are written: this commit's values replace it.
    if (written.length > 0) replaceNames(reply, written);
    return payload;
  });
}

function listOf(value: unknown): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

function nameOf(setCookie: string): string {
  const eq = setCookie.indexOf('=');
  return (eq === -1 ? setCookie : setCookie.slice(0, eq)).trim();
}

/**
 * Remove from the reply's own Set-Cookie list the values named like those the
 * commit just wrote on the raw response; they are merged in when the headers
 * are written.
 */
function replaceNames(reply: FastifyReply, written: readonly string[]): void {
  const raw = reply.raw.getHeader('set-cookie');
  const current = reply.getHeader('set-cookie');
  // The reply has no list of its own (getHeader fell back to the raw response's).
  if (current === undefined || current === raw) return;
  const names = new Set(written.map(nameOf));
  const theirs = listOf(current);
  const kept = theirs.filter((value) => !names.has(nameOf(value)));
  if (kept.length === theirs.length) return;
  reply.removeHeader('set-cookie');
  // removeHeader also cleared the raw response's list: put this commit's values back there.
  reply.raw.setHeader('set-cookie', listOf(raw));
  if (kept.length > 0) reply.header('set-cookie', kept);
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
