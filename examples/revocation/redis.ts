/**
 * Real revocation with the sessions in Redis (`RedisSessionStore` from
 * `sealed-session/redis`), next to redis-epoch.ts, which revokes stateless
 * cookie sessions through the `isRevoked` hook.
 *
 * Here the cookie seals only a random session key and the state lives in
 * Redis, so revoking is deleting:
 * - sign-in: `session.renew()` moves the session to a new key and deletes
 *   the old one (a cookie seen before sign-in is worthless after it);
 * - sign-out: `session.destroy()` deletes the state: a copy of the cookie
 *   taken before is an empty session from then on, `invalidReason:
 *   'revoked'`;
 * - "log out everywhere": `store.logOutEverywhere(userId)` ends every
 *   session of that user in one atomic Redis script.
 *
 * Compared with the epoch: no `isRevoked` hook and no per-user key to keep;
 * a signed-in request that reads its session costs one Redis round trip
 * either way. What changes: every session is in Redis (anonymous ones too,
 * once they hold state), and Redis being down fails every request that has
 * a session in it (with `ERR_STORE_UNAVAILABLE`).
 *
 * ```ts
 * import { createClient } from 'redis';
 * import { createRevocationApp } from './redis';
 *
 * const client = createClient({ url: process.env.REDIS_URL });
 * client.on('error', (err) => console.error('redis', err));
 * await client.connect();
 * createRevocationApp({ client, secret: process.env.SESSION_SECRET! }).server.listen(3000);
 * ```
 *
 * Routes: `POST /sign-in?user=<id>`, `GET /me`, `POST /sign-out`,
 * `POST /log-out-everywhere`. Run by test/security/revocation-redis.test.ts.
 *
 * @module
 */
import http from 'node:http';
import { z } from 'zod';
import { isSessionError } from '../../src/index';
import { RedisSessionStore, type RedisClientLike } from '../../src/redis/index';

const schema = z.object({ userId: z.string().optional() });

/** Options of {@link createRevocationApp}. */
export interface RevocationAppOptions {
  /** A connected node-redis or ioredis client. */
  readonly client: RedisClientLike;
  /** The session secret (32+ characters). */
  readonly secret: string;
  /** Ms a Redis command may take. Default 1000. */
  readonly commandTimeout?: number;
}

/** The store and a node:http server using it. */
export function createRevocationApp({ client, secret, commandTimeout = 1000 }: RevocationAppOptions) {
  const store = new RedisSessionStore({
    client,
    keys: secret,
    schema,
    cookie: { name: 'session', secure: false }, // plain http in the example; keep the default (Secure) in production
    ttl: 7 * 86_400,
    owner: (state) => state.userId,
    commandTimeout,
  });

  const server = http.createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    try {
      const session = await store.handleSession(req, res);
      const url = new URL(req.url ?? '/', 'http://localhost');
      let ended: number | undefined;
      if (req.method === 'POST' && url.pathname === '/sign-in') {
        session.renew(); // a new key: no session fixation
        session.set('userId', url.searchParams.get('user') ?? 'nobody');
      } else if (req.method === 'POST' && url.pathname === '/sign-out') {
        session.destroy();
      } else if (req.method === 'POST' && url.pathname === '/log-out-everywhere') {
        const user = session.get('userId');
        if (user !== undefined) ended = await store.logOutEverywhere(user);
        session.destroy();
      }
      await session.commit();
      reply(200, { userId: session.get('userId') ?? null, invalidReason: session.invalidReason ?? null, ...(ended !== undefined && { ended }) });
    } catch (err) {
      // Redis unreachable or slow: fail the request; the browser keeps its cookie for when Redis is back.
      reply(isSessionError(err, 'ERR_STORE_UNAVAILABLE') ? 503 : isSessionError(err, 'ERR_STORE_CONFLICT') ? 409 : 500, { error: isSessionError(err) ? err.code : 'unexpected' });
    }
  });

  return { store, server };
}
