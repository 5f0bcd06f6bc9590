/**
 * `CookieSessionStore`: reads a request's cookies into a typed {@link Session}.
 * Framework-free: it takes the `Cookie` header and the session's `commit()`
 * returns Set-Cookie values; adapters (`handleSession`) only move headers.
 *
 * @module
 */
import type { UnsealErrorCode } from '../errors';
import { configError } from '../errors';
import { joinChunks } from '../cookie/framing';
import { findCookieGroup } from '../cookie/parse';
import { isProduction } from '../util/env';
import { after, isPromiseLike, type MaybePromise } from '../util/maybe-promise';
import { isOtherContent, openPayload, type CodecOpenResult } from './codec';
import {
  resolveStoreOptions,
  type CookieSessionStoreOptions,
  type FlashState,
  type SchemaState,
  type InvalidReason,
  type InvalidSessionEvent,
  type ResolvedStoreOptions,
} from './options';
import type { LegacyReader } from './legacy';
import { lifetimeRefusal } from './lifetime';
import { acceptedFlash } from './flash';
import { newSessionId, readPayload, type SessionPayload } from './payload';
import { outputIssue, rejectIssues, validateSync, type JsonObject, type StandardResult, type StandardSchemaV1 } from './schema';
import { Session, type SessionPersist } from './session';
import { backendLink, openBacked, type BackendLink } from './backed';

/**
 * The request header size many proxies and clients stop at (8 KiB): past it
 * they refuse the request or drop the later cookies, the session's among them.
 */
const HEADER_LIMIT = 8192;

/** Set once the over-8-KiB warning was shown: once a process. */
let warnedHeaderLimit = false;

/** Warn (once, not in production) that a `maxBytes` above 8 KiB can lose sessions behind common proxies. */
function warnHeaderLimit(maxBytes: number): void {
  if (maxBytes <= HEADER_LIMIT || warnedHeaderLimit) return;
  if (isProduction()) return;
  warnedHeaderLimit = true;
  console.warn(
    `sealed-session: maxBytes is ${maxBytes} octets, above ${HEADER_LIMIT} (8 KiB), where many proxies and clients refuse a request or cut its Cookie header, losing the session ('incomplete'); keep maxBytes at ${HEADER_LIMIT} or less unless every hop allows more. (Shown once; not when NODE_ENV is production.)`,
  );
}

/** Whether a chunk cookie (`name.1`, …) with a value came without its head. */
function hasChunkValue(found: ReadonlyMap<number, string>): boolean {
  for (const [index, value] of found) if (index > 0 && value !== '') return true;
  return false;
}

/** What every session of one load shares. */
interface Base<S extends StandardSchemaV1> {
  readonly options: ResolvedStoreOptions;
  readonly fresh: () => SchemaState<S>;
  readonly chunksPresent: readonly number[];
  /** With `spill`: this request's link to the backend (session/backed.ts), and its commit. */
  readonly link: BackendLink | undefined;
  readonly persist: SessionPersist | undefined;
}

const REASONS: Record<UnsealErrorCode | 'ERR_SEAL_INFLATE_LIMIT', InvalidReason> = {
  ERR_SEAL_MALFORMED: 'malformed',
  ERR_SEAL_BAD_MAC: 'tampered',
  ERR_SEAL_EXPIRED: 'expired',
  ERR_SEAL_UNKNOWN_KEY: 'unknown-key',
  ERR_SEAL_PURPOSE: 'wrong-purpose',
  ERR_SEAL_NOT_JSON: 'malformed',
  ERR_SEAL_INFLATE_LIMIT: 'inflate-limit',
};

/**
 * The session state type of a store or of a schema: the schema's output. A
 * schema typed only as `StandardSchemaV1` (output `unknown`), or a store
 * without a schema, gives a JSON object; a schema whose output is not an
 * object gives `never` (and a store refuses it at construction, since `{}`
 * does not validate).
 *
 * @typeParam StoreOrSchema `typeof store` or `typeof schema`.
 *
 * @example
 * ```ts
 * const schema = z.object({ userId: z.string().optional(), visits: z.number().default(0) });
 * const store = new CookieSessionStore({ keys, schema });
 * type State = InferState<typeof schema>; // { userId?: string | undefined; visits: number }
 * type Same = InferState<typeof store>; // the same type
 * type Untyped = InferState<StandardSchemaV1>; // JsonObject
 * ```
 */
export type InferState<StoreOrSchema> = StoreOrSchema extends StandardSchemaV1
  ? SchemaState<StoreOrSchema>
  : StoreOrSchema extends {
        /** A store's `load`: the state type is read off the session it resolves to. */
        load(cookieHeader: never): Promise<Session<infer State, any>>;
      }
    ? State
    : never;

/**
 * The framework-free core of {@link CookieSessionStore}: options and `load`.
 * Use `CookieSessionStore`, which adds `handleSession` and `withSession`.
 *
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
 * const session = await store.load(request.headers.get('cookie'));
 * session.set('visits', session.get('visits') + 1);
 * for (const value of await session.commit()) headers.append('set-cookie', value);
 * ```
 */
export class SessionStore<S extends StandardSchemaV1 = StandardSchemaV1<JsonObject, JsonObject>, F extends StandardSchemaV1 | undefined = StandardSchemaV1 | undefined> {
  /** @internal */
  readonly options: ResolvedStoreOptions;

  /**
   * Validate the configuration; throws `ERR_CONFIG_*` with the option at fault
   * and what to change.
   */
  constructor(options: CookieSessionStoreOptions<S, F>) {
    this.options = resolveStoreOptions(options as CookieSessionStoreOptions<StandardSchemaV1, StandardSchemaV1 | undefined>);
    const result = validateSync(this.options.schema, {});
    if (result.issues) {
      throw configError(
        'ERR_CONFIG_OPTION',
        'schema',
        `does not accept {}: a fresh session starts from the schema's defaults, so give every field a .default() or make it .optional() (${result.issues[0]?.message ?? 'invalid'})`,
      );
    }
    const flashSchema = this.options.flashSchema;
    if (flashSchema) {
      const flashes = validateSync<unknown>(flashSchema, {}, 'flashSchema');
      if (flashes.issues || flashes.value === null || typeof flashes.value !== 'object') {
        throw configError(
          'ERR_CONFIG_OPTION',
          'flashSchema',
          `does not accept {}: each flash value is validated on its own, as { [key]: value }, so make every field optional (z.object({ ... }).partial())${flashes.issues ? ` (${flashes.issues[0]?.message ?? 'invalid'})` : ''}`,
        );
      }
    }
    const notJson = outputIssue(this.options.schema, result.value);
    if (notJson) {
      throw configError(
        'ERR_CONFIG_OPTION',
        'schema',
        `turns {} into a state JSON cannot carry (${notJson.message}); the state is sealed as JSON, so defaults must be JSON values (strings for dates, arrays for sets)`,
      );
    }
    warnHeaderLimit(this.options.maxBytes);
  }

  /**
   * The session cookie's name (chunks are `name.1`, `name.2`, …).
   *
   * @example
   * ```ts
   * const store = new CookieSessionStore({ keys, cookie: { name: '__Host-sid' } });
   * store.cookieName; // '__Host-sid'
   * ```
   */
  get cookieName(): string {
    return this.options.cookie.name;
  }

  /**
   * The longest any session of this store can live, in seconds from its
   * creation: `maxTtl` (default ten years, the longest `setTtl`), which
   * bounds `ttl` and every session's own `setTtl` lifetime alike. Keep
   * anything that must outlive every session created before some moment
   * (a per-user "sessions valid after" time, a revocation list entry) at
   * least this long after that moment, plus the clock skew allowance.
   *
   * @example
   * ```ts
   * const store = new CookieSessionStore({ keys, ttl: 12 * 3600, maxTtl: 30 * 86_400 });
   * store.maxLifetime; // 2592000: a "remember me" setTtl(30 days) is the longest possible
   * await redis.set(`valid-after:${userId}`, String(Date.now()), { EX: store.maxLifetime + 15 * 60 });
   * ```
   */
  get maxLifetime(): number {
    return this.options.maxTtl;
  }

  /**
   * Read the session from a request's `Cookie` header. Never throws for
   * anything a client can send: a missing, tampered, expired, idle, foreign or
   * out-of-schema cookie gives an empty session whose `invalidReason` says why.
   * (Errors thrown by your own `isRevoked` hook do propagate.)
   *
   * @example
   * ```ts
   * const session = await store.load(req.headers.cookie);
   * if (session.invalidReason) log.info('session dropped', session.invalidReason);
   * ```
   */
  load(cookieHeader: string | null | undefined): Promise<Session<SchemaState<S>, FlashState<F>>> {
    try {
      const session = this.loadNow(cookieHeader);
      return isPromiseLike(session) ? session : Promise.resolve(session);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * @internal `load`, without a promise where nothing is asynchronous (the
   * node:crypto engine, a synchronous schema, no `isRevoked` hook): the
   * adapters use it so a request pays no promise hops for its session.
   * (A named method, not a symbol-keyed one: a computed key keeps bundlers
   * from dropping the class from bundles that only use `sealData`.)
   */
  loadNow(cookieHeader: string | null | undefined): MaybePromise<Session<SchemaState<S>, FlashState<F>>> {
    const o = this.options;
    // Keys given as a function are resolved (and checked) here, at the first load: a bad one rejects every load.
    const ring = o.ring;
    const now = Date.now();
    const found = findCookieGroup(typeof cookieHeader === 'string' ? cookieHeader : undefined, o.cookie.name, o.maxChunks);
    const read = joinChunks(found, o.maxChunks);
    const link = o.spill && backendLink(o.spill, o);
    const base: Base<S> = { options: o, fresh: this.#fresh, chunksPresent: read.present, link, persist: link?.write };
    const head = found.get(0);
    // The old library's cookie under the same name.
    const legacySameName = o.legacy !== undefined && head !== undefined && o.legacy.owns(head);
    // An empty value is what a removal leaves behind in some stores (Next passes `sid=` to the page after a delete): no cookie.
    if (!head || legacySameName) {
      // Chunks without their head: the Cookie header was cut short (a proxy's 8 KiB limit drops the later cookies, the
      // head among them), or the head alone was removed. Not "no session": the user had one and lost it.
      const orphaned = !head && hasChunkValue(found);
      const none = (): Session<SchemaState<S>, FlashState<F>> => (orphaned ? this.#refuse(base, 'incomplete') : new Session({ ...base, state: this.#fresh() }));
      if (!o.legacy) return none();
      return this.#migrate(o.legacy, cookieHeader ?? undefined, now, base).then((migrated) => migrated ?? none());
    }
    if (read.value === undefined) return this.#refuse(base, read.broken === 'missing-chunk' ? 'incomplete' : 'malformed');
    // Bounded work before any crypto: the joined value alone (leftover chunks past the head's count are ignored) must fit the budget.
    if (read.value.length > o.maxBytes) return this.#refuse(base, 'oversized');

    // A signed cookie at an encrypted store, or the reverse: never read as the other.
    if (isOtherContent(o.codec, read.value)) return this.#refuse(base, 'wrong-content');

    // The seal's own expiry is checked below, once the payload says which limit (absolute or idle) ran out.
    return after(openPayload(o.codec, ring, read.value, o.purpose, now, Number.POSITIVE_INFINITY), (opened) => this.#opened(base, opened, now));
  }

  /** The checks after the seal opened: payload, clocks, lifetimes, schema, revocation. */
  #opened(base: Base<S>, opened: CodecOpenResult, now: number): MaybePromise<Session<SchemaState<S>, FlashState<F>>> {
    const o = this.options;
    // An inflation bound passed: authentic, so the key id is known (a bomb was made by a holder of that key).
    if (!opened.ok) return this.#refuse(base, REASONS[opened.code], 'keyId' in opened ? opened.keyId : undefined);
    const payload = readPayload(opened.data);
    if (!payload) return this.#refuse(base, 'malformed', opened.keyId);
    const refuse = (reason: InvalidReason) => this.#refuse(base, reason, opened.keyId, payload.id);

    const late = lifetimeRefusal(o, payload, opened.issuedAt, opened.expiresAt, now);
    if (late !== undefined) return refuse(late);
    // A cookie that carries a backend's session key instead of the state (`spill`; session/backed.ts).
    const backed = openBacked(o, base.link, payload, opened, now);
    if (backed === undefined) return this.#checked(base, opened, payload, refuse);
    if (typeof backed === 'string') return refuse(backed);
    return backed.then((loaded) => (typeof loaded === 'string' ? refuse(loaded) : this.#checked(base, opened, loaded, refuse)));
  }

  /** The schema check and the revocation hook of an authentic session. */
  #checked(
    base: Base<S>,
    opened: CodecOpenResult & { ok: true },
    payload: SessionPayload,
    refuse: (reason: InvalidReason) => Session<SchemaState<S>, FlashState<F>>,
  ): MaybePromise<Session<SchemaState<S>, FlashState<F>>> {
    const o = this.options;
    const createdAt = payload.createdAt;
    const checked = o.schema['~standard'].validate(payload.state) as MaybePromise<StandardResult<SchemaState<S>>>;
    return after(checked, (validated) => {
      if (validated.issues || outputIssue(o.schema, validated.value)) return refuse('invalid-schema');
      const state = validated.value;
      const accepted = o.flashSchema !== undefined && payload.flash !== undefined ? this.#checkedFlash(o.flashSchema, payload, opened.keyId) : payload;
      // Spelled out, not spread from `base`: an object spread here costs more than the rest of a cached load.
      const session = () =>
        new Session({ options: o, fresh: base.fresh, chunksPresent: base.chunksPresent, state, payload: accepted, issuedAt: opened.issuedAt, stale: opened.stale, persist: base.persist });
      return this.#unlessRevoked(payload.id, createdAt, opened.issuedAt, state, session, refuse);
    });
  }

  /**
   * The payload with only the flash values `flashSchema` accepts, each
   * checked on its own; every one dropped is reported (`invalid-flash`), and
   * the session stays.
   */
  #checkedFlash(flashSchema: StandardSchemaV1, payload: SessionPayload, keyId: string): SessionPayload {
    const flash = acceptedFlash(flashSchema, payload.flash!, (flashKey) =>
      this.#report({ reason: 'invalid-flash', cookie: this.options.cookie.name, keyId, sessionId: payload.id, flashKey }),
    );
    return { ...payload, flash };
  }

  /**
   * The last check of an authentic session, ours or migrated: `accept()`
   * unless the `isRevoked` hook says it is revoked, then `refuse('revoked')`.
   */
  #unlessRevoked(
    id: string,
    createdAt: number,
    issuedAt: number,
    state: SchemaState<S>,
    accept: () => Session<SchemaState<S>, FlashState<F>>,
    refuse: (reason: InvalidReason) => Session<SchemaState<S>, FlashState<F>>,
  ): MaybePromise<Session<SchemaState<S>, FlashState<F>>> {
    const isRevoked = this.options.isRevoked;
    if (!isRevoked) return accept();
    return Promise.resolve(isRevoked({ id, createdAt, issuedAt, data: state as never })).then((revoked) => (revoked ? refuse('revoked') : accept()));
  }

  /** An empty session for a cookie that was refused, reported to `onInvalid`. */
  #refuse(base: Base<S>, reason: InvalidReason, keyId?: string, sessionId?: string): Session<SchemaState<S>, FlashState<F>> {
    this.#report({ reason, cookie: this.options.cookie.name, ...(keyId !== undefined && { keyId }), ...(sessionId !== undefined && { sessionId }) });
    // A cookie sealed with a key this server does not know may be fine on
    // another server (a rotation being rolled out): leave it alone.
    return new Session({ ...base, state: this.#fresh(), invalidReason: reason, clearIncoming: reason !== 'unknown-key' });
  }

  /**
   * A session from another library's cookie (the `legacy` reader; iron-session's today), re-issued in our format on the
   * first commit (which also deletes the old cookie); `undefined` when there
   * is no such cookie.
   */
  async #migrate(
    legacy: LegacyReader,
    header: string | undefined,
    now: number,
    base: Base<S>,
  ): Promise<Session<SchemaState<S>, FlashState<F>> | undefined> {
    const o = this.options;
    const cookie = legacy.find(header);
    if (!cookie) return undefined;
    const refuse = (reason: InvalidReason): Session<SchemaState<S>, FlashState<F>> => {
      this.#report({ reason, cookie: legacy.cookieName });
      return new Session({
        ...base,
        state: this.#fresh(),
        invalidReason: reason,
        ...(reason !== 'unknown-key' && { removeOnCommit: cookie.names }),
      });
    };
    const maybe = legacy.open(cookie.token, now, o.skewMs);
    const opened = isPromiseLike(maybe) ? await maybe : maybe;
    if (!opened.ok) return refuse(REASONS[opened.code]);
    const checked = o.schema['~standard'].validate(opened.data) as StandardResult<SchemaState<S>> | Promise<StandardResult<SchemaState<S>>>;
    const validated = isPromiseLike(checked) ? await checked : checked;
    if (validated.issues || outputIssue(o.schema, validated.value)) return refuse('invalid-schema');
    const state = validated.value;

    // iron-session records no creation time, so the migrated session must not
    // look newer than it is: `isRevoked` hooks compare `createdAt` with a
    // "valid after" time, and a stolen cookie from before a "log out
    // everywhere" must not pass them (nor get a creation time that passes them
    // ever after). What we know: iron-session seals `expiry = save time + its
    // ttl`. With that ttl (`fromIronSession.ttl`), the last save is a time the
    // session existed at, and the issue time of this very cookie: it is the
    // migrated session's creation, sealed in its cookie and counted from by
    // `ttl`. Without it (or a cookie with no expiry) nothing dates the cookie:
    // the hook sees 0, so any "valid after" time refuses it, and the session's
    // lifetime starts at the migration. A hook that accepted 0 has no such
    // time for this user now; one set later is later than the migration too,
    // so the migration time sealed from then on still fails it. A save time
    // in the future (beyond the clock skew allowed) means `fromIronSession.ttl`
    // is smaller than iron-session's: undatable too, never clamped to now
    // (that would date a stolen cookie as brand new).
    const nowSeconds = Math.floor(now / 1000);
    const derived = opened.savedAt === undefined ? 0 : Math.floor(opened.savedAt / 1000) * 1000;
    const savedAt = derived > now + o.skewMs ? 0 : Math.min(derived, nowSeconds * 1000);
    if (savedAt > 0 && now >= savedAt + o.ttl * 1000) return refuse('expired');
    // maxIdleTimeout caps every session's time without a re-issue: iron-session's last save is this cookie's last issue.
    // An undated cookie cannot show it was saved within the cap, so it is refused as notBefore refuses it.
    if (o.maxIdleTimeout !== undefined && (savedAt === 0 || now >= savedAt + o.maxIdleTimeout * 1000)) return refuse('idle');
    // notBefore: an undated cookie (0) cannot show it was saved after it.
    if (savedAt < o.notBefore) return refuse('revoked');
    const payload: SessionPayload = { id: newSessionId(), createdAt: savedAt > 0 ? savedAt : nowSeconds * 1000, state };
    return this.#unlessRevoked(
      payload.id,
      savedAt,
      savedAt,
      state,
      () => new Session({ ...base, state, payload, migrated: true, removeOnCommit: cookie.names }),
      refuse,
    );
  }

  /** Tell the `onInvalid` hook; a logging hook must not break the request, so what it throws is ignored. */
  #report(event: InvalidSessionEvent): void {
    try {
      this.options.onInvalid?.(event);
    } catch {
      // ignored on purpose
    }
  }

  /** The state of a fresh session, synchronously (for `clear()`/`destroy()`). */
  readonly #fresh = (): SchemaState<S> => {
    // The constructor checked {} once; a schema that changes its mind is a bug in the schema.
    const result = validateSync<SchemaState<S>>(this.options.schema, {});
    if (result.issues) rejectIssues('a fresh session ({})', result.issues);
    return result.value;
  };

}
