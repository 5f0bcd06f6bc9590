/**
 * `RedisSessionStore`: a {@link CookieSessionStore} whose sessions live in
 * Redis, the cookie carrying only the session key (sealed). Same options,
 * same typed `Session`, same adapters and integrations; on top: real
 * revocation and "log out everywhere".
 *
 * @module
 */
import { configError, rejectUnknownOptions } from '../errors';
import { RedisBackend } from '../redis/backend';
import type { RedisClientLike } from '../redis/client';
import type { ConflictPolicy } from '../session/backed';
import { STORE_OPTIONS, type CookieSessionStoreOptions, type SchemaState } from '../session/options';
import type { JsonObject, StandardSchemaV1 } from '../session/schema';
import { requireOptions } from '../util/options';
import { CookieSessionStore } from './store';

/**
 * Options of `new RedisSessionStore(options)`: the cookie store's (`keys`,
 * `schema`, `cookie`, `ttl`, `idleTimeout`, `lifecycle`, `extend`,
 * `touchAfter`, `timestampSkewSec`, `onInvalid`, `isRevoked`, `legacy`…,
 * all meaning the same), and where and how the state lives in Redis.
 *
 * @typeParam S the schema type; the session state is its output type.
 *
 * @example
 * ```ts
 * const options: RedisSessionStoreOptions<typeof schema> = {
 *   client, // a connected node-redis or ioredis client, single node or cluster
 *   keys: process.env.SESSION_SECRET!,
 *   schema,
 *   owner: (state) => state.userId,
 *   commandTimeout: 500,
 * };
 * const store = new RedisSessionStore(options);
 * ```
 */
export interface RedisSessionStoreOptions<S extends StandardSchemaV1 = StandardSchemaV1<JsonObject, JsonObject>>
  extends Omit<CookieSessionStoreOptions<S>, 'spill'> {
  /**
   * A connected client: node-redis `createClient()`/`createCluster()` (give it
   * an `error` listener) or ioredis `new Redis()`/`new Cluster()`. The store
   * never connects, quits or reconfigures it.
   */
  readonly client: RedisClientLike;
  /** Prefix of every Redis key, without `{` or `}`. Default `sess:`. */
  readonly prefix?: string;
  /**
   * Ms a Redis command may take before the request fails with
   * `ERR_STORE_UNAVAILABLE` (1 to 60000). Default 1000.
   */
  readonly commandTimeout?: number;
  /**
   * Whose session it is, from its state (for example `(s) => s.userId`):
   * {@link RedisSessionStore.logOutEverywhere} ends every session of that
   * owner. A session whose owner changes (sign-in) gets a new key on its
   * commit, as with `renew()`.
   */
  readonly owner?: (state: SchemaState<S>) => string | undefined;
  /**
   * When another request wrote the same session after this one loaded it.
   * `merge` (default): this request's changed fields are applied to the
   * session as it is now; a field both changed throws `ERR_STORE_CONFLICT`
   * (nothing written). `error`: any concurrent write throws
   * `ERR_STORE_CONFLICT`. `overwrite`: last writer wins.
   */
  readonly onConflict?: ConflictPolicy;
}

const REDIS_OPTIONS = ['client', 'prefix', 'commandTimeout', 'owner', 'onConflict'];

/**
 * Sessions in Redis (or Valkey; single node or Redis Cluster) behind the
 * cookie store's API: the state lives in Redis under a key derived from a
 * random 256-bit session key, and the cookie carries only that key, sealed
 * with the key ring (rotation, purpose binding, `__Host-` as for any
 * cookie). So the state can be as large as you like, `destroy()` and
 * `renew()` really end the old session (a replayed cookie then gives an
 * empty session with `invalidReason` `'revoked'`), and
 * {@link logOutEverywhere} ends every session of a user.
 *
 * Per request: one Redis round trip to load (which also moves the idle end,
 * when due), none more when nothing changed, one more to write a change or
 * a renew. Redis unreachable, slow past `commandTimeout`, or answering errors:
 * `load` and `commit` reject with `ERR_STORE_UNAVAILABLE`, never an empty
 * session, never a cleared cookie. Await `session.commit()` (or use an
 * integration, which does) before the response goes out: the commit is
 * asynchronous. See docs/redis.md.
 *
 * @typeParam S the schema; the session state is its output type.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { RedisSessionStore } from 'sealed-session/redis';
 *
 * const client = createClient({ url: process.env.REDIS_URL });
 * client.on('error', (err) => console.error('redis', err));
 * await client.connect();
 *
 * const store = new RedisSessionStore({
 *   client,
 *   keys: process.env.SESSION_SECRET!,
 *   schema: z.object({ userId: z.string().optional(), cart: z.array(z.string()).default([]) }),
 *   cookie: { name: '__Host-session' },
 *   owner: (state) => state.userId,
 * });
 *
 * const session = await store.handleSession(req, res);
 * session.update((s) => ({ ...s, cart: [...s.cart, 'book'] }));
 * await session.commit();
 * ```
 */
export class RedisSessionStore<S extends StandardSchemaV1 = StandardSchemaV1<JsonObject, JsonObject>> extends CookieSessionStore<S> {
  /**
   * The Redis backend the sessions live in: for operations outside a request
   * (`load`, `update` of a session by key, `deleteOwner`).
   *
   * @example
   * ```ts
   * const ended = await store.backend.deleteOwner(userId, Date.now());
   * ```
   */
  readonly backend: RedisBackend;
  readonly #owned: boolean;

  /**
   * Validate the configuration; throws `ERR_CONFIG_*` with the option at
   * fault and what to change.
   */
  constructor(options: RedisSessionStoreOptions<S>) {
    requireOptions(options);
    if (Object.hasOwn(options, 'spill')) throw configError('ERR_CONFIG_OPTION', 'spill', 'is not an option of RedisSessionStore, which keeps every state in Redis; for state in the cookie while it fits, use CookieSessionStore with spill: new RedisBackend({ client })');
    rejectUnknownOptions(options, [...REDIS_OPTIONS, ...STORE_OPTIONS.filter((name) => name !== 'spill')]);
    const { client, prefix, commandTimeout, owner, onConflict, ...cookieOptions } = options;
    const backend = new RedisBackend({ client, ...(prefix !== undefined && { prefix }), ...(commandTimeout !== undefined && { commandTimeout }) });
    super({ ...cookieOptions, spill: { backend, always: true, ...(owner !== undefined && { owner }), ...(onConflict !== undefined && { onConflict }) } } as CookieSessionStoreOptions<S>);
    this.backend = backend;
    this.#owned = owner !== undefined;
  }

  /**
   * Log out everywhere: end every session whose `owner` (the option) is
   * `owner`, at once (one atomic Redis script). A request that still holds
   * one of their cookies then gets an empty session with `invalidReason`
   * `'revoked'`. Resolves to how many sessions were alive.
   *
   * @example
   * ```ts
   * // after a password change
   * await store.logOutEverywhere(user.id);
   * ```
   */
  logOutEverywhere(owner: string): Promise<number> {
    if (!this.#owned) return Promise.reject(configError('ERR_CONFIG_OPTION', 'owner', 'is needed for logOutEverywhere: give the store owner: (state) => state.userId (or wherever the user id is)'));
    return this.backend.deleteOwner(owner, Date.now());
  }
}
