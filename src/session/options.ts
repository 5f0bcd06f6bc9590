/**
 * Store options: the public shape, the defaults, and their validation. Every
 * check runs at construction and names the option and what to change.
 *
 * @module
 */
import { SessionError, configError, rejectUnknownOptions } from '../errors';
import { assertMaxChunks } from '../cookie/chunks';
import { capacityBytes } from '../cookie/framing';
import { resolveCookieOptions, type CookieOptions, type ResolvedCookieOptions } from '../cookie/options';
import { checkSkew } from '../seal/index';
import { requireOptions } from '../util/options';
import { KEY_RING_OPTIONS, checkKeyRingOptions, createKeyRing, deferredKeyRing, ringOptionsOf, type KeyRing, type KeyRingOptions, type Keys } from '../seal/keys';
import { createCodec, type SessionCodec } from './codec';
import { isLegacyReader, type LegacyReader } from './legacy';
import { resolveSpill, type ResolvedSpill, type SpillOptions } from './backed';
import type { SessionBackend } from './backend';
import { isStandardSchema, jsonObjectSchema, type Json, type JsonObject, type StandardSchemaV1 } from './schema';

/**
 * Why a session cookie that came with the request was not accepted
 * (`session.invalidReason`, `InvalidSessionEvent#reason`).
 *
 * Every reason except `unknown-key` also removes the refused cookie on the
 * next commit; an `unknown-key` cookie is left alone, since another server
 * in the middle of a key rotation may still be able to read it.
 *
 * @example
 * ```ts
 * const session = await store.load(cookieHeader);
 * if (session.invalidReason === 'expired' || session.invalidReason === 'idle') {
 *   return Response.redirect('https://example.com/login?expired=1', 303);
 * }
 * ```
 */
export type InvalidReason =
  /** Not a session cookie of ours: wrong structure, encoding or chunk framing. */
  | 'malformed'
  /**
   * A chunked session arrived with a chunk missing: the head without one of
   * `name.1` … (a gap), or chunks without the head `name`. The usual cause
   * is a proxy or client that cut the `Cookie` header short (many stop at
   * 8 KiB); keep `maxBytes` below that.
   */
  | 'incomplete'
  /**
   * Authentic, but its timestamps lie further in the future than
   * `timestampSkewSec` allows: the issuing server's clock is ahead of this
   * one (or this one's went back). A burst of these points at the clocks.
   */
  | 'clock-skew'
  /** Failed its integrity check: altered, or sealed with a secret we do not have. */
  | 'tampered'
  /** Past its absolute lifetime (`ttl`, or the session's own `setTtl`). */
  | 'expired'
  /** Unused for longer than `idleTimeout`. */
  | 'idle'
  /** Sealed with a key id that is no longer in the key ring. */
  | 'unknown-key'
  /** Authentic, but sealed for another cookie name or purpose. */
  | 'wrong-purpose'
  /** Authentic, but the state no longer matches the schema (for example after a deploy). */
  | 'invalid-schema'
  /** The `isRevoked` hook said so ("log out everywhere"), or the session was created before `notBefore`. */
  | 'revoked'
  /** Larger than the configured budget: refused without decrypting. */
  | 'oversized'
  /**
   * Authentic, but its compressed payload would inflate past 16 × `maxBytes`
   * (a decompression bomb, which only a holder of the key can make): refused
   * once the bound is reached, never inflated in full.
   */
  | 'inflate-limit'
  /**
   * A token of the other `content` mode: a sealed (`Fe26.2`) cookie at a
   * store with `content: 'signed'`, or a signed (`Sig1`) one at an encrypted
   * store. Refused before any key is used; the store's `content` changed, or
   * the cookie is another store's.
   */
  | 'wrong-content';

/**
 * What the `onInvalid` hook receives. Never contains the cookie value.
 *
 * @example
 * ```ts
 * const store = new CookieSessionStore({
 *   keys: process.env.SESSION_SECRET!,
 *   onInvalid: (event: InvalidSessionEvent) => {
 *     if (event.reason !== 'expired' && event.reason !== 'idle') console.warn('session refused', event);
 *   },
 * });
 * ```
 */
export interface InvalidSessionEvent {
  /**
   * Why the cookie was refused; or `invalid-flash`: the session was
   * accepted, but one of its flash values no longer passes `flashSchema`
   * (for example after a deploy), so that value alone was dropped (named in
   * `flashKey`; `session.invalidReason` stays unset).
   */
  readonly reason: InvalidReason | 'invalid-flash';
  /** With `invalid-flash`: the key of the dropped flash value. */
  readonly flashKey?: string;
  /** The session cookie name. */
  readonly cookie: string;
  /** The key id of the cookie when it was authentic (for `expired`, `idle`, `invalid-schema`, `revoked`…). */
  readonly keyId?: string;
  /** The session id when it was authentic. */
  readonly sessionId?: string;
}

/**
 * What the `onWarning` hook receives: a mistake in how the application uses
 * its sessions, found while a request ran. Never contains a cookie value.
 *
 * - `uncommitted`: a session changed, and its request ended without a
 *   commit (`store.fetch` / `store.next` sessions, found when the session is
 *   garbage-collected; `withSession` when the handler returned
 *   `Response.error()`): the client never got the change.
 * - `cookie-conflict`: the application set a Set-Cookie of its own for the
 *   session's cookie name (such as Express' `res.clearCookie('session')`):
 *   the application's value is sent, the session's write of that name is not.
 * - `public-cache`: the response carrying the session cookie asked shared
 *   caches to store it (`Cache-Control: public` or `s-maxage`); it was made
 *   `private` (see the `cacheHeaders` option).
 *
 * @example
 * ```ts
 * const store = new CookieSessionStore({
 *   keys: process.env.SESSION_SECRET!,
 *   onWarning: (warning: SessionWarning) => logger.warn({ code: warning.code, cookie: warning.cookie }, warning.message),
 * });
 * ```
 */
export interface SessionWarning {
  /** What went wrong; see above. */
  readonly code: 'uncommitted' | 'cookie-conflict' | 'public-cache';
  /** The cookie concerned: the session cookie's name, or one of its chunks (`name.1`). */
  readonly cookie: string;
  /** What happened and what to change, in a sentence. */
  readonly message: string;
}

/**
 * What the `isRevoked` hook receives for an authentic, unexpired session.
 *
 * @typeParam State the session state type.
 *
 * @example
 * ```ts
 * declare function signedOutAt(userId: string): Promise<number | undefined>; // your database
 *
 * const store = new CookieSessionStore({
 *   keys: process.env.SESSION_SECRET!,
 *   schema: z.object({ userId: z.string().optional() }),
 *   // "log out everywhere": refuse sessions created before the user's last sign-out
 *   isRevoked: async (info) => { // info: SessionInfo<{ userId?: string }>
 *     if (!info.data.userId) return false;
 *     const after = await signedOutAt(info.data.userId);
 *     return after !== undefined && info.createdAt < after;
 *   },
 * });
 * ```
 */
export interface SessionInfo<State> {
  /** The session id (`session.id`). */
  readonly id: string;
  /**
   * When the session was created: ms since the epoch, in whole seconds (the
   * cookie stores seconds). Compare with a per-user "valid after" time
   * rounded up to the next second. For a cookie being migrated from
   * iron-session: when iron-session last saved it (with
   * `fromIronSession.ttl`), else 0.
   */
  readonly createdAt: number;
  /** When this cookie was issued (ms since the epoch); for a cookie being migrated from iron-session, the same as `createdAt`. */
  readonly issuedAt: number;
  /** The session state, already validated by the schema. */
  readonly data: State;
}

/**
 * Options of `new CookieSessionStore(options)`.
 *
 * @typeParam S the schema type; the session state is its output type.
 * @typeParam F the flash schema's type, if any; `flash` and `takeFlash` are typed from its output.
 *
 * @example
 * ```ts
 * const schema = z.object({ userId: z.string().optional() });
 * const options: CookieSessionStoreOptions<typeof schema> = {
 *   keys: [
 *     { id: '2', secret: process.env.SESSION_SECRET_2! },
 *     { id: '1', secret: process.env.SESSION_SECRET_1! },
 *   ],
 *   schema,
 *   cookie: { name: '__Host-session', sameSite: 'strict' },
 *   ttl: 30 * 86_400,
 *   idleTimeout: 2 * 3600,
 *   lifecycle: 'browser',
 * };
 * const store = new CookieSessionStore(options);
 * ```
 */
export interface CookieSessionStoreOptions<
  S extends StandardSchemaV1 = StandardSchemaV1<JsonObject, JsonObject>,
  F extends StandardSchemaV1 | undefined = StandardSchemaV1 | undefined,
> extends KeyRingOptions {
  /**
   * The secret(s) that seal and unseal the cookie. See `Keys`. Checked when
   * the store is built, so a wrong key fails at startup. Or a function
   * returning them (`() => process.env.SESSION_SECRET!`), for a build step
   * that loads this module without the secrets (`next build`): it is called
   * at the first load (or commit), its keys are checked then, and a missing
   * or wrong key makes that load reject with `ERR_CONFIG_KEYS`. It must
   * return the keys synchronously.
   */
  readonly keys: Keys | (() => Keys);
  /**
   * A zod 4 (or any Standard Schema) object schema for the state. A fresh
   * session holds the result of validating `{}`, so give fields defaults or
   * make them optional. Writes are validated synchronously.
   */
  readonly schema?: S;
  /**
   * A Standard Schema (zod 4…) object schema for flash values, every field
   * optional: `z.object({ notice: z.string(), error: z.string() }).partial()`
   * (as React Router types its flash data). `flash(key, value)` and
   * `takeFlash(key)` are then typed from its output, `flash` throws
   * `ERR_SESSION_INVALID` for a value it refuses or a key it lacks, and a
   * loaded flash value it refuses is dropped alone (reported to `onInvalid`
   * as `invalid-flash`). Each value is validated on its own, as
   * `{ [key]: value }`, synchronously. Without it, flash values are any JSON.
   *
   * @example
   * ```ts
   * const store = new CookieSessionStore({
   *   keys: process.env.SESSION_SECRET!,
   *   flashSchema: z.object({ notice: z.string().max(200), attempts: z.number().int() }).partial(),
   * });
   * const session = await store.load(cookieHeader);
   * session.flash('notice', 'Saved'); // session.flash('notice', 42) does not compile
   * const notice = session.takeFlash('notice'); // string | undefined
   * ```
   */
  readonly flashSchema?: F;
  /** Cookie name and attributes. Defaults: `session`, Secure, HttpOnly, SameSite=Lax, Path=/. */
  readonly cookie?: CookieOptions;
  /** Absolute lifetime of a session, in seconds since it was created. Default 7 days. */
  readonly ttl?: number;
  /** Seconds without a request after which a session dies; `false` for none. Default 1 day. */
  readonly idleTimeout?: number | false;
  /**
   * The hard upper bound, in seconds, on the absolute lifetime of every
   * session, its own `setTtl` lifetime included: applied when a cookie is
   * read, so lowering it shortens existing sessions at once. Default ten
   * years (the longest `setTtl`). `ttl` must not exceed it. It is also what
   * `store.maxLifetime` reports.
   */
  readonly maxTtl?: number;
  /**
   * The hard upper bound, in seconds, on the idle timeout of every session,
   * its own `setTtl` idle timeout (or `idleTimeout: false`) included: applied
   * when a cookie is read. Default none. `idleTimeout` must be a number not
   * above it.
   */
  readonly maxIdleTimeout?: number;
  /**
   * Refuse every session created before this time (a `Date`, or ms since the
   * epoch), as `revoked`: a stateless "log everyone out". Creation times are
   * sealed in whole seconds, rounded down, so a session created in the same
   * second but after it is refused too. A number before 2001 (under 1e12:
   * a time in seconds taken for ms, which would revoke nothing) is refused
   * at construction. Default none.
   */
  readonly notBefore?: Date | number;
  /** `persistent` (default): the cookie has a Max-Age. `browser`: it dies with the browser session. */
  readonly lifecycle?: 'persistent' | 'browser';
  /**
   * When the idle window and Max-Age move forward. `on-change` (default): when
   * the state changes, and on a read once half the idle window has passed.
   * `on-request`: on every request, at most once per `touchAfter` seconds.
   */
  readonly extend?: 'on-change' | 'on-request';
  /**
   * With `extend: 'on-request'`, the least seconds between two re-issues of an
   * unchanged cookie. Default 60, or half the idle window if less (0: every
   * request). A session with a shorter idle timeout of its own (`setTtl`) is
   * re-issued after half of it when that is sooner.
   */
  readonly touchAfter?: number;
  /** How many cookies one session may spread over (`name`, `name.1`, …). Default 3. */
  readonly maxChunks?: number;
  /**
   * Budget, in octets, of all the session's cookies in the request Cookie
   * header (names, values, separators). Default 6144, or what `maxChunks`
   * cookies hold if less. Above 8192 the store warns once (`console.warn`,
   * not when `NODE_ENV` is `production`): many proxies and clients cut or
   * refuse request headers past 8 KiB, and a cut header loses the session
   * (`incomplete`).
   */
  readonly maxBytes?: number;
  /**
   * Allowance, in seconds, for servers whose clocks disagree. Default 60, at
   * most 600. `ttl` and `idleTimeout` are checked exactly against the
   * timestamps in the cookie; the skew only lets through timestamps slightly
   * in the future (an issuing server whose clock runs ahead) and loosens the
   * expiry sealed in the iron token itself.
   */
  readonly timestampSkewSec?: number;
  /**
   * What the cookie carries. `'encrypted'` (default): an iron seal, AES-256-CBC
   * + HMAC-SHA-256, unreadable without the key. `'signed'`: **readable by
   * anyone who holds the cookie** (base64url of JSON), only tamper-proof: an
   * HMAC-SHA-256 token (`Sig1*…`, smaller than a seal) with the same keys,
   * rotation, purpose binding and server-side expiry, for state the client
   * may see (UI preferences, A/B buckets). The two never read each other's
   * cookies (reason `wrong-content`), so changing it ends every session.
   */
  readonly content?: 'encrypted' | 'signed';
  /**
   * Compress the state before sealing, when that makes it smaller (raw
   * DEFLATE of the platform: node:zlib, or CompressionStream on Web
   * runtimes). Default `false`. **Compressing secret data next to data an
   * attacker chooses leaks the secret through the cookie's length**
   * (CRIME/BREACH): see SECURITY.md before turning it on. Cookies are read
   * compressed or not whatever this says; a compressed one that would inflate
   * past 16 × `maxBytes` is refused (`inflate-limit`), and a state whose JSON
   * is over that bound cannot be written (`ERR_SESSION_TOO_LARGE`). A runtime
   * with no deflate refuses `true` (`ERR_CONFIG_OPTION`).
   */
  readonly compress?: boolean;
  /** Called when a cookie that came with the request is refused; for logging. Errors it throws are ignored. */
  readonly onInvalid?: (event: InvalidSessionEvent) => void;
  /**
   * Called for each {@link SessionWarning} (a forgotten commit, a Set-Cookie
   * of the application's own for the session's name, a publicly cacheable
   * response). Default: each kind is printed once per process with
   * `console.warn`, and not at all when `NODE_ENV` is `production`. Errors
   * it throws are ignored.
   */
  readonly onWarning?: (warning: SessionWarning) => void;
  /**
   * Whether a response that carries the session's Set-Cookie gets cache
   * headers that keep shared caches (CDNs, proxies) from handing it, and the
   * session in it, to other users. `true` (default): no `Cache-Control` becomes
   * `private, no-cache`; one that lets shared caches store the response
   * (`public`, `s-maxage`, or neither `private` nor `no-store`) is made
   * `private`; `Vary: Cookie` is added. `false`: the headers are left as the
   * application set them.
   */
  readonly cacheHeaders?: boolean;
  /**
   * Migration from another library's cookie (a reader built by
   * `fromIronSession` from `sealed-session/iron-session`): when a request
   * has no session cookie of ours but has the old one, open it, validate it
   * against the schema, and re-issue it in this library's format on the same
   * response (deleting the old cookie). The migrated session gets a new id.
   * `isRevoked` is consulted first, with the old cookie's last save time as
   * `createdAt` when the reader knows it (iron-session: when its `ttl` is
   * given), else 0 (which any "valid after" time refuses). The old cookie's
   * Path/Domain must match `cookie`'s for the deletion to reach it.
   *
   * @example
   * ```ts
   * const store = new CookieSessionStore({
   *   keys: process.env.SESSION_SECRET!,
   *   legacy: fromIronSession({ cookieName: 'myapp_session', password: { 1: process.env.IRON_PASSWORD! }, ttl: 14 * 86_400 }),
   * });
   * ```
   */
  readonly legacy?: LegacyReader;
  /**
   * Consulted on every load of an authentic, unexpired session; return true to
   * refuse it (reason `revoked`). Use it for "log out everywhere" with a
   * per-user epoch kept in your database or cache.
   */
  readonly isRevoked?: (session: SessionInfo<SchemaState<S>>) => boolean | Promise<boolean>;
  /**
   * A storage backend for the states that outgrow the cookie (hybrid
   * sessions): the state stays in the cookie while it fits the budget
   * (`maxBytes`, `maxChunks`), moves to the backend when it grows past it
   * (the cookie then carries only its session key, sealed), and moves back,
   * deleting the backend's record, when it shrinks. The application code
   * does not change. See docs/redis.md.
   *
   * @example
   * ```ts
   * import { RedisBackend } from 'sealed-session/redis';
   *
   * const store = new CookieSessionStore({ keys, schema, spill: new RedisBackend({ client }) });
   * ```
   */
  readonly spill?: SessionBackend | SpillOptions<SchemaState<S>>;
}

/**
 * The session state type of a store with schema `S`: the schema's
 * output. A schema typed only as `StandardSchemaV1` (output `unknown`) gives
 * a JSON object; a schema whose output is not an object gives `never` (and
 * the store refuses it at construction, since `{}` does not validate).
 * Users spell it `InferState<typeof schema>` or `InferState<typeof store>`.
 *
 * @example
 * ```ts
 * const schema = z.object({ userId: z.string().optional(), visits: z.number().default(0) });
 * type State = SchemaState<typeof schema>; // { userId?: string | undefined; visits: number }
 * type Untyped = SchemaState<StandardSchemaV1>; // JsonObject
 * ```
 */
export type SchemaState<S> = S extends StandardSchemaV1<unknown, infer O> ? (unknown extends O ? JsonObject : [O] extends [object] ? O : never) : never;

/**
 * The flash values' type of a store with flash schema `F`: its output, by
 * key (`flash` and `takeFlash` are typed from it); without a flash schema,
 * or with one typed only as `StandardSchemaV1`, any JSON value under any key.
 *
 * @example
 * ```ts
 * const flashSchema = z.object({ notice: z.string() }).partial();
 * type Flash = FlashState<typeof flashSchema>; // { notice?: string | undefined }
 * type Untyped = FlashState<undefined>; // Record<string, Json>
 * ```
 */
export type FlashState<F> = F extends StandardSchemaV1<unknown, infer O> ? (unknown extends O ? Record<string, Json> : [O] extends [object] ? O : never) : Record<string, Json>;

/** Options after defaults and validation. */
export interface ResolvedStoreOptions {
  readonly ring: KeyRing;
  readonly schema: StandardSchemaV1;
  /** `flashSchema`, if given. */
  readonly flashSchema: StandardSchemaV1 | undefined;
  readonly cookie: ResolvedCookieOptions;
  readonly purpose: string;
  /** All in seconds. */
  readonly ttl: number;
  readonly idleTimeout: number | undefined;
  /** Caps on every session's lifetime and idle timeout, seconds (`maxIdleTimeout` `undefined`: none). */
  readonly maxTtl: number;
  readonly maxIdleTimeout: number | undefined;
  /** ms since the epoch; 0 for none. */
  readonly notBefore: number;
  readonly persistent: boolean;
  readonly extendOnRequest: boolean;
  readonly touchAfter: number;
  readonly maxChunks: number;
  readonly maxBytes: number;
  readonly skewMs: number;
  readonly onInvalid: ((event: InvalidSessionEvent) => void) | undefined;
  /** `content` and `compress`: how payloads become cookie values and back. */
  readonly codec: SessionCodec;
  readonly onWarning: ((warning: SessionWarning) => void) | undefined;
  readonly cacheHeaders: boolean;
  readonly isRevoked: ((session: SessionInfo<never>) => boolean | Promise<boolean>) | undefined;
  /** Reads another library's cookie to migrate it (`legacy`). */
  readonly legacy: LegacyReader | undefined;
  /** Where states that do not fit the cookie go (`spill`). */
  readonly spill: ResolvedSpill | undefined;
}

const DEFAULTS = /* @__PURE__ */ Object.freeze({
  ttl: 7 * 24 * 60 * 60,
  idleTimeout: 24 * 60 * 60,
  touchAfter: 60,
  maxChunks: 3,
  maxBytes: 6144,
});

/** Ten years: far past any cookie, but finite so timestamps stay exact. */
const MAX_TTL = 10 * 365 * 24 * 60 * 60;

function seconds(value: unknown, option: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw configError('ERR_CONFIG_OPTION', option, `must be a number of seconds from ${min} to ${max}; got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}

function oneOf<T extends string>(value: unknown, option: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw configError('ERR_CONFIG_OPTION', option, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got ${describe(value)}`);
  }
  return value as T;
}

function flag(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw configError('ERR_CONFIG_OPTION', option, `must be true or false; got ${describe(value)}`);
  return value;
}

function hook<F>(value: unknown, option: string): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw configError('ERR_CONFIG_OPTION', option, 'must be a function');
  return value as F;
}

/**
 * Every option name of {@link CookieSessionStoreOptions}; any other is
 * refused at construction, naming the nearest (`idleTimout` from plain
 * JavaScript would otherwise be ignored). A new option must be added here.
 */
export const STORE_OPTIONS: readonly string[] = [
  'keys', 'schema', 'cookie', 'ttl', 'idleTimeout', 'maxTtl', 'maxIdleTimeout', 'notBefore', 'lifecycle', 'extend', 'touchAfter', 'maxChunks', 'maxBytes',
  'timestampSkewSec', 'onInvalid', 'legacy', 'isRevoked', 'content', 'compress', 'flashSchema', 'spill', ...KEY_RING_OPTIONS,
  'onWarning', 'cacheHeaders',
];

/** Validate options and apply defaults. */
export function resolveStoreOptions(options: CookieSessionStoreOptions<StandardSchemaV1, StandardSchemaV1 | undefined>): ResolvedStoreOptions {
  requireOptions(options);
  if (Object.hasOwn(options, 'fromIronSession')) {
    throw configError('ERR_CONFIG_OPTION', 'fromIronSession', "has moved: pass legacy: fromIronSession({ cookieName, password, ttl }), imported from 'sealed-session/iron-session'");
  }
  rejectUnknownOptions(options, STORE_OPTIONS);
  const keys: unknown = options.keys;
  const deferred = typeof keys === 'function' ? deferredKeyRing(keys as () => unknown, ringOptionsOf(options)) : undefined;
  // Keys given as a function are read at first use; their options are checked now.
  if (deferred) checkKeyRingOptions(ringOptionsOf(options));
  const ring = deferred ? undefined : createKeyRing(options.keys as Keys, ringOptionsOf(options));
  if (options.schema !== undefined && !isStandardSchema(options.schema)) {
    throw configError('ERR_CONFIG_OPTION', 'schema', 'must implement Standard Schema v1 (zod 4, valibot, arktype…); pass e.g. z.object({...})');
  }
  if (options.flashSchema !== undefined && !isStandardSchema(options.flashSchema)) {
    throw configError('ERR_CONFIG_OPTION', 'flashSchema', 'must implement Standard Schema v1 (zod 4, valibot, arktype…); pass e.g. z.object({ notice: z.string() }).partial()');
  }
  const maxChunks = options.maxChunks ?? DEFAULTS.maxChunks;
  assertMaxChunks(maxChunks);
  const cookie = resolveCookieOptions(options.cookie, maxChunks);
  const ttl = seconds(options.ttl, 'ttl', DEFAULTS.ttl, 1, MAX_TTL);
  const idle = options.idleTimeout === false ? undefined : seconds(options.idleTimeout, 'idleTimeout', DEFAULTS.idleTimeout, 1, MAX_TTL);
  const { maxTtl, maxIdleTimeout } = resolveCaps(options, ttl, idle);
  const lifecycle = oneOf(options.lifecycle, 'lifecycle', ['persistent', 'browser'], 'persistent');
  const extend = oneOf(options.extend, 'extend', ['on-change', 'on-request'], 'on-change');
  // By default at most half the idle window (as on-change), or a session used more often than its idle timeout could still go idle.
  // A re-issue must come well inside the idle window, or sessions in steady use would die.
  const touchLimit = (idle ?? ttl) / 2;
  const touchAfter = seconds(options.touchAfter, 'touchAfter', Math.min(DEFAULTS.touchAfter, touchLimit), 0, touchLimit);
  const capacity = capacityBytes(maxChunks);
  // The default budget never exceeds what maxChunks cookies can hold (maxChunks: 1 alone must construct).
  const maxBytes = options.maxBytes ?? Math.min(DEFAULTS.maxBytes, capacity);
  if (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes < 512 || maxBytes > capacity) {
    throw configError(
      'ERR_CONFIG_OPTION',
      'maxBytes',
      `must be a whole number of octets from 512 to what ${maxChunks} cookie(s) can hold (${capacity}); raise maxChunks for a larger budget`,
    );
  }
  const content = oneOf(options.content, 'content', ['encrypted', 'signed'], 'encrypted');
  if (options.compress !== undefined && typeof options.compress !== 'boolean') {
    throw configError('ERR_CONFIG_OPTION', 'compress', `must be true or false; got ${describe(options.compress)}`);
  }
  if (content === 'signed' && options.legacy !== undefined) {
    throw configError(
      'ERR_CONFIG_OPTION',
      'legacy',
      "cannot be used with content: 'signed': it would re-issue encrypted iron-session cookies as cookies anyone can read; migrate with content: 'encrypted'",
    );
  }
  const resolved: ResolvedStoreOptions = {
    ring: ring!,
    schema: (options.schema ?? jsonObjectSchema) as StandardSchemaV1,
    flashSchema: options.flashSchema,
    cookie,
    purpose: `cookie:${cookie.name}`,
    ttl,
    idleTimeout: idle,
    maxTtl,
    maxIdleTimeout,
    notBefore: resolveNotBefore(options.notBefore),
    persistent: lifecycle === 'persistent',
    extendOnRequest: extend === 'on-request',
    touchAfter,
    maxChunks,
    maxBytes,
    skewMs: checkSkew(options.timestampSkewSec),
    onInvalid: hook<(event: InvalidSessionEvent) => void>(options.onInvalid, 'onInvalid'),
    codec: createCodec(content, options.compress ?? false, maxBytes),
    onWarning: hook<(warning: SessionWarning) => void>(options.onWarning, 'onWarning'),
    cacheHeaders: flag(options.cacheHeaders, 'cacheHeaders', true),
    isRevoked: hook<(session: SessionInfo<never>) => boolean | Promise<boolean>>(options.isRevoked, 'isRevoked'),
    legacy: resolveLegacy(options.legacy),
    spill: resolveSpill(options.spill),
  };
  // Resolved (and checked) on first read, then kept: the first load or commit.
  if (deferred) Object.defineProperty(resolved, 'ring', { get: deferred, enumerable: true });
  return Object.freeze(resolved);
}

/** `maxTtl` and `maxIdleTimeout`, checked against `ttl` and `idleTimeout` (which may not exceed them). */
function resolveCaps(options: CookieSessionStoreOptions<StandardSchemaV1>, ttl: number, idle: number | undefined): { maxTtl: number; maxIdleTimeout: number | undefined } {
  const maxTtl = seconds(options.maxTtl, 'maxTtl', MAX_TTL, 1, MAX_TTL);
  if (ttl > maxTtl) throw configError('ERR_CONFIG_OPTION', 'ttl', `is ${ttl} s, above maxTtl (${maxTtl} s); lower ttl or raise maxTtl`);
  const maxIdleTimeout = options.maxIdleTimeout === undefined ? undefined : seconds(options.maxIdleTimeout, 'maxIdleTimeout', 0, 1, MAX_TTL);
  if (maxIdleTimeout !== undefined && (idle === undefined || idle > maxIdleTimeout)) {
    throw configError('ERR_CONFIG_OPTION', 'idleTimeout', `is ${idle === undefined ? 'false (none)' : `${idle} s`}, above maxIdleTimeout (${maxIdleTimeout} s); give idleTimeout at most ${maxIdleTimeout}, or raise maxIdleTimeout`);
  }
  return { maxTtl, maxIdleTimeout };
}

/** 1e12 ms (2001-09-09): every earlier `notBefore` is a time in seconds mistaken for ms. */
const MIN_NOT_BEFORE_MS = 1e12;

function resolveNotBefore(value: unknown): number {
  if (value === undefined) return 0;
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
    throw configError('ERR_CONFIG_OPTION', 'notBefore', `must be a Date or a time in ms since the epoch (Date.now()); got ${value instanceof Date ? 'an invalid Date' : describe(value)}`);
  }
  // Before 2001-09-09 in ms is a time in seconds (a Unix time) taken for ms: it would lie in 1970 and revoke nothing.
  if (ms > 0 && ms < MIN_NOT_BEFORE_MS) {
    throw configError(
      'ERR_CONFIG_OPTION',
      'notBefore',
      `must be a Date or a time in ms since the epoch (Date.now()); ${ms} is before 2001 as ms, so it looks like seconds (a Unix time), and would revoke nothing: multiply by 1000, or pass a Date`,
    );
  }
  return ms;
}

function resolveLegacy(input: unknown): LegacyReader | undefined {
  if (input === undefined) return undefined;
  if (!isLegacyReader(input)) {
    throw configError('ERR_CONFIG_OPTION', 'legacy', "must be a reader of another library's cookie, such as fromIronSession({ cookieName, password }) from 'sealed-session/iron-session'");
  }
  return input;
}
