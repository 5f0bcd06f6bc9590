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
import { KEY_RING_OPTIONS, createKeyRing, ringOptionsOf, type KeyRing, type KeyRingOptions, type Keys } from '../seal/keys';
import { isLegacyReader, type LegacyReader } from './legacy';
import { resolveSpill, type ResolvedSpill, type SpillOptions } from './backed';
import type { SessionBackend } from './backend';
import { isStandardSchema, jsonObjectSchema, type JsonObject, type StandardSchemaV1 } from './schema';

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
  /** The `isRevoked` hook said so ("log out everywhere"). */
  | 'revoked'
  /** Larger than the configured budget: refused without decrypting. */
  | 'oversized';

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
  /** Why the cookie was refused. */
  readonly reason: InvalidReason;
  /** The session cookie name. */
  readonly cookie: string;
  /** The key id of the cookie when it was authentic (for `expired`, `idle`, `invalid-schema`, `revoked`…). */
  readonly keyId?: string;
  /** The session id when it was authentic. */
  readonly sessionId?: string;
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
export interface CookieSessionStoreOptions<S extends StandardSchemaV1 = StandardSchemaV1<JsonObject, JsonObject>> extends KeyRingOptions {
  /** The secret(s) that seal and unseal the cookie. See `Keys`. */
  readonly keys: Keys;
  /**
   * A zod 4 (or any Standard Schema) object schema for the state. A fresh
   * session holds the result of validating `{}`, so give fields defaults or
   * make them optional. Writes are validated synchronously.
   */
  readonly schema?: S;
  /** Cookie name and attributes. Defaults: `session`, Secure, HttpOnly, SameSite=Lax, Path=/. */
  readonly cookie?: CookieOptions;
  /** Absolute lifetime of a session, in seconds since it was created. Default 7 days. */
  readonly ttl?: number;
  /** Seconds without a request after which a session dies; `false` for none. Default 1 day. */
  readonly idleTimeout?: number | false;
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
  /** Budget, in octets, of all the session's cookies in the request Cookie header (names, values, separators). Default 6144, or what `maxChunks` cookies hold if less. */
  readonly maxBytes?: number;
  /**
   * Allowance, in seconds, for servers whose clocks disagree. Default 60, at
   * most 600. `ttl` and `idleTimeout` are checked exactly against the
   * timestamps in the cookie; the skew only lets through timestamps slightly
   * in the future (an issuing server whose clock runs ahead) and loosens the
   * expiry sealed in the iron token itself.
   */
  readonly timestampSkewSec?: number;
  /** Called when a cookie that came with the request is refused; for logging. Errors it throws are ignored. */
  readonly onInvalid?: (event: InvalidSessionEvent) => void;
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
 */
export type SchemaState<S> = S extends StandardSchemaV1<unknown, infer O> ? (unknown extends O ? JsonObject : [O] extends [object] ? O : never) : never;

/** Options after defaults and validation. */
export interface ResolvedStoreOptions {
  readonly ring: KeyRing;
  readonly schema: StandardSchemaV1;
  readonly cookie: ResolvedCookieOptions;
  readonly purpose: string;
  /** All in seconds. */
  readonly ttl: number;
  readonly idleTimeout: number | undefined;
  readonly persistent: boolean;
  readonly extendOnRequest: boolean;
  readonly touchAfter: number;
  readonly maxChunks: number;
  readonly maxBytes: number;
  readonly skewMs: number;
  readonly onInvalid: ((event: InvalidSessionEvent) => void) | undefined;
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
  'keys', 'schema', 'cookie', 'ttl', 'idleTimeout', 'lifecycle', 'extend', 'touchAfter', 'maxChunks', 'maxBytes',
  'timestampSkewSec', 'onInvalid', 'legacy', 'isRevoked', 'spill', ...KEY_RING_OPTIONS,
];

/** Validate options and apply defaults. */
export function resolveStoreOptions(options: CookieSessionStoreOptions<StandardSchemaV1>): ResolvedStoreOptions {
  requireOptions(options);
  if (Object.hasOwn(options, 'fromIronSession')) {
    throw configError('ERR_CONFIG_OPTION', 'fromIronSession', "has moved: pass legacy: fromIronSession({ cookieName, password, ttl }), imported from 'sealed-session/iron-session'");
  }
  rejectUnknownOptions(options, STORE_OPTIONS);
  const ring = createKeyRing(options.keys, ringOptionsOf(options));
  if (options.schema !== undefined && !isStandardSchema(options.schema)) {
    throw configError('ERR_CONFIG_OPTION', 'schema', 'must implement Standard Schema v1 (zod 4, valibot, arktype…); pass e.g. z.object({...})');
  }
  const maxChunks = options.maxChunks ?? DEFAULTS.maxChunks;
  assertMaxChunks(maxChunks);
  const cookie = resolveCookieOptions(options.cookie, maxChunks);
  const ttl = seconds(options.ttl, 'ttl', DEFAULTS.ttl, 1, MAX_TTL);
  const idle = options.idleTimeout === false ? undefined : seconds(options.idleTimeout, 'idleTimeout', DEFAULTS.idleTimeout, 1, MAX_TTL);
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
  return Object.freeze({
    ring,
    schema: (options.schema ?? jsonObjectSchema) as StandardSchemaV1,
    cookie,
    purpose: `cookie:${cookie.name}`,
    ttl,
    idleTimeout: idle,
    persistent: lifecycle === 'persistent',
    extendOnRequest: extend === 'on-request',
    touchAfter,
    maxChunks,
    maxBytes,
    skewMs: checkSkew(options.timestampSkewSec),
    onInvalid: hook<(event: InvalidSessionEvent) => void>(options.onInvalid, 'onInvalid'),
    isRevoked: hook<(session: SessionInfo<never>) => boolean | Promise<boolean>>(options.isRevoked, 'isRevoked'),
    legacy: resolveLegacy(options.legacy),
    spill: resolveSpill(options.spill),
  });
}

function resolveLegacy(input: unknown): LegacyReader | undefined {
  if (input === undefined) return undefined;
  if (!isLegacyReader(input)) {
    throw configError('ERR_CONFIG_OPTION', 'legacy', "must be a reader of another library's cookie, such as fromIronSession({ cookieName, password }) from 'sealed-session/iron-session'");
  }
  return input;
}
