/**
 * "Log out everywhere" for stateless cookie sessions, with a per-user
 * "sessions valid after" time (an epoch) kept in Redis.
 *
 * A sealed cookie cannot be recalled: until it expires, whoever holds it has
 * the session. The store's `isRevoked` hook closes that gap: it is consulted
 * on every load of an authentic, unexpired session, and a `true` answer
 * turns the request's session into an empty one with `invalidReason`
 * `'revoked'` (and deletes the cookie). Here the hook refuses every session
 * of a user created before that user's epoch; "log out everywhere" moves the
 * epoch to now. One Redis GET per request of a signed-in user.
 *
 * Wiring it up:
 *
 * ```ts
 * import { createClient } from 'redis';
 * import { z } from 'zod';
 * import { CookieSessionStore } from 'sealed-session';
 * import { redisEpochRevocation } from './redis-epoch';
 *
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const revocation = redisEpochRevocation({
 *   redis,
 *   userOf: (s: { userId?: string }) => s.userId,
 *   // Read at each revokeAll, so the store can be built below with this object's hook.
 *   maxLifetime: () => store.maxLifetime,
 * });
 *
 * const store = new CookieSessionStore({
 *   keys: process.env.SESSION_SECRET!,
 *   schema: z.object({ userId: z.string().optional() }),
 *   ttl: 7 * 24 * 3600,
 *   // The longest "remember me" (setTtl) you grant: also how long an epoch is kept.
 *   maxTtl: 30 * 24 * 3600,
 *   isRevoked: revocation.isRevoked,
 * });
 *
 * // Sign-in: renew() gives the session a new id AND a new creation time,
 * // which is what the epoch is compared with.
 * session.renew();
 * session.set('userId', user.id);
 *
 * // "Log out everywhere" (or after a password change):
 * await revocation.revokeAll(user.id);
 * ```
 *
 * Semantics, and what to know:
 * - The creation time inside a session cookie has a resolution of one
 *   second (rounded down), so the epoch is rounded *up* to the next whole
 *   second: every session created up to the end of the second of the
 *   revocation is refused, including a sign-in in that same second (it
 *   must sign in again, a second later). That errs on the side of logging out.
 * - Sign-in must call `session.renew()`: a session created before the
 *   epoch and signed in after it would otherwise still carry its old
 *   creation time, and be refused on its next request.
 * - Servers' clocks should agree (within the store's `timestampSkewSec`); a
 *   server whose clock is behind the one that set the epoch refuses its own
 *   new sign-ins until its clock passes the epoch.
 * - Errors from Redis propagate out of `store.load` / `handleSession`, so an
 *   unreachable Redis fails requests of signed-in users (fail closed) rather
 *   than accepting sessions that may have been revoked. Catch them in
 *   `isRevoked` and return `false` to fail open instead, if you must.
 * - An epoch only needs to live as long as the sessions it revokes, but that
 *   is the longest any session can live, not the store's `ttl`: a session
 *   given its own lifetime with `setTtl` ("remember me for 30 days") lives
 *   past `ttl`, and an epoch that expired before it would let its stolen
 *   cookie in again. So it is kept for the store's `maxLifetime` (its
 *   `maxTtl`, which caps `ttl` and every `setTtl`; ten years when not set,
 *   so set it) plus the largest clock skew allowance (600 s) and a minute.
 *
 * @module
 */
import type { SessionInfo } from '../../src/index';

/** The largest `timestampSkewSec` a store accepts: a server whose clock is behind by that much still accepts a session until then. */
const MAX_SKEW_SECONDS = 600;

/** The two Redis commands used, as node-redis 5 types them (`createClient()` satisfies this). */
export interface EpochRedis {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, options: { expiration: { type: 'EX'; value: number } }): Promise<unknown>;
}

/** Options of {@link redisEpochRevocation}. */
export interface EpochRevocationOptions<State> {
  /** A connected node-redis client (or anything with the same `get`/`set`). */
  readonly redis: EpochRedis;
  /** The user a session belongs to; `undefined` for a session nobody signed in to (never revoked). */
  readonly userOf: (state: State) => string | undefined;
  /**
   * The store's `maxLifetime` (seconds), or a function returning it (read at
   * each `revokeAll`, so the store may be built after this object): how long
   * a session created just before an epoch can live, so how long the epoch
   * must be kept.
   */
  readonly maxLifetime: number | (() => number);
  /** Key prefix. Default `sessions-valid-after:`. */
  readonly prefix?: string;
}

/** What {@link redisEpochRevocation} returns. */
export interface EpochRevocation<State> {
  /** Pass as the store's `isRevoked` option. */
  readonly isRevoked: (session: SessionInfo<State>) => Promise<boolean>;
  /**
   * Refuse every session of `userId` created up to now (rounded up to the
   * next whole second). Resolves once Redis has stored it. Returns the epoch (ms).
   */
  readonly revokeAll: (userId: string) => Promise<number>;
}

/**
 * An `isRevoked` hook and a `revokeAll(userId)` backed by one Redis key per
 * user holding the time (ms since the epoch) before which that user's
 * sessions are refused.
 */
export function redisEpochRevocation<State>(options: EpochRevocationOptions<State>): EpochRevocation<State> {
  const { redis, userOf } = options;
  const prefix = options.prefix ?? 'sessions-valid-after:';
  const keep = (): number => {
    const lifetime = typeof options.maxLifetime === 'function' ? options.maxLifetime() : options.maxLifetime;
    if (!Number.isInteger(lifetime) || lifetime < 1) throw new TypeError('maxLifetime must be a whole number of seconds ≥ 1 (the store\'s maxLifetime)');
    return lifetime + MAX_SKEW_SECONDS + 60;
  };
  if (typeof options.maxLifetime !== 'function') keep();

  return {
    async isRevoked(session) {
      const user = userOf(session.data);
      if (user === undefined) return false;
      const stored = await redis.get(prefix + user);
      if (stored === null || stored === undefined) return false;
      const epoch = Number(stored);
      // A value we did not write (not a number) refuses everything: fail closed.
      return !Number.isFinite(epoch) || session.createdAt < epoch;
    },
    async revokeAll(userId) {
      const epoch = Math.ceil((Date.now() + 1) / 1000) * 1000;
      await redis.set(prefix + userId, String(epoch), { expiration: { type: 'EX', value: keep() } });
      return epoch;
    },
  };
}
