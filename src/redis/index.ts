/**
 * `sealed-session/redis`: sessions in Redis (or Valkey), single node or
 * Redis Cluster, on a client you already have: node-redis (`redis@5`) or
 * ioredis. Neither is a dependency; both are optional peers.
 *
 * - {@link RedisSessionStore}: the cookie store's API with the state in
 *   Redis, the cookie carrying only the session key: revocation, "log out
 *   everywhere", states of any size.
 * - {@link RedisBackend}: the {@link SessionBackend} it uses; also what the
 *   cookie store's `spill` option takes (hybrid: the state in the cookie while
 *   it fits, in Redis past that).
 *
 * This entry re-exports both (it sits on top of the layers, like the core's
 * src/index.ts: the backend is at the session layer, the store at the
 * adapters'). Guide: docs/redis.md; writing a backend for another store:
 * docs/backends.md.
 *
 * ## Keys
 * A session key (what the cookie carries, sealed) is `T.R`: `R` is 256
 * random bits, `T` a 128-bit routing tag (base64url, 22 + 1 + 43
 * characters). The record lives at `prefix{T}:H` with `H =
 * base64url(SHA-256(key))`: one-way, so a leaked dump (or `KEYS *`) gives no
 * key that a cookie could carry. The Redis key is only ever derived from a key
 * this backend made and the caller read from an authenticated cookie.
 *
 * ## Slots (Redis Cluster)
 * Every script's keys share the hash tag `{T}`, so each operation is one
 * atomic script on one node, single node and cluster alike:
 * - an owned session's `T` is derived from its owner (`SHA-256` of the owner
 *   id, first 128 bits), so all of one owner's sessions and the owner index
 *   `prefix{T}:o` share a slot, and "log out everywhere" ends them all in
 *   one script;
 * - an anonymous session gets a random `T`, and keeps it through
 *   {@link RedisBackend.renew} (as does a renew that keeps the owner, or
 *   drops it), so renew is one script: new record, old one deleted, index
 *   entry moved.
 * The one move across slots is a renew that gives the session a new owner
 * (sign-in): it writes the new record first (its key known to no one yet),
 * then deletes the old one if it is still at the expected version, and
 * deletes the new one again if not. If Redis fails in between, the call
 * rejects and the old key still works (or, if the old one is already gone,
 * the user must sign in again); no state is ever visible under two live
 * keys that a client holds. The price of owner-tagged slots: one owner's
 * sessions are on one node (a few records per user; fine for any real load).
 *
 * ## Faults
 * Every command runs under `commandTimeout` (default 1000 ms). A timeout, a
 * connection error or an error reply rejects with `ERR_STORE_UNAVAILABLE`;
 * nothing is ever reported as "no session" because Redis failed. After a
 * timeout a write may still be applied later by Redis (the outcome of a
 * timed-out command is unknown); versioned writes make that safe to retry.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { RedisSessionStore } from 'sealed-session/redis';
 *
 * const client = createClient({ url: process.env.REDIS_URL });
 * client.on('error', (err) => console.error('redis', err));
 * await client.connect();
 * const store = new RedisSessionStore({ client, keys: process.env.SESSION_SECRET!, prefix: 'myapp:sess:', owner: (s) => s.userId });
 * ```
 *
 * @module
 */
export { RedisSessionStore } from '../adapters/redis-store';
export type { RedisSessionStoreOptions } from '../adapters/redis-store';
export { RedisBackend } from './backend';
export type { RedisBackendOptions } from './backend';
export { updateWithRetry } from '../session/backend';
export type { UpdateWithRetryOptions } from '../session/backend';
export type { ConflictPolicy, SpillOptions } from '../session/backed';
export type { IoRedisLike, NodeRedisLike, RedisClientLike } from './client';
export type { NewSession, RenewedSession, SessionBackend, SessionChange, StoredSession, WriteResult } from '../session/backend';
