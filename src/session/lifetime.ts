/**
 * Lifetimes: when a session was created and last issued, its absolute
 * lifetime and idle timeout (the store's, or its own from `setTtl`), when its
 * cookie is due for a re-issue, and the checks a loaded cookie must pass.
 * Everything about time lives here; `Session` holds one {@link Lifetime}.
 *
 * @module
 * @internal
 */
import { configError } from '../errors';
import type { InvalidReason, ResolvedStoreOptions } from './options';
import type { SessionPayload } from './payload';

/** `ms` rounded down to a whole second: the resolution of the creation time sealed in a cookie. */
const wholeSeconds = (ms: number): number => ms - (ms % 1000);

/** Ten years, the longest `setTtl` accepts. */
const MAX_OWN_SECONDS = 10 * 365 * 86400;

/**
 * The absolute lifetime in force (seconds): the session's own (`setTtl`) or
 * the store's `ttl`, never above `maxTtl` (`ttl` itself is at most that).
 */
function absoluteSeconds(o: ResolvedStoreOptions, own: number | undefined): number {
  return own === undefined ? o.ttl : Math.min(own, o.maxTtl);
}

/**
 * The idle timeout in force (seconds, `undefined` for none): the session's own
 * (`setTtl`; `false` for none) or the store's, never above `maxIdleTimeout`.
 */
function idleSecondsOf(o: ResolvedStoreOptions, own: number | false | undefined): number | undefined {
  const idle = own === undefined ? o.idleTimeout : own === false ? undefined : own;
  const cap = o.maxIdleTimeout;
  return cap === undefined ? idle : idle === undefined ? cap : Math.min(idle, cap);
}

/** The lifetime options of `session.setTtl`. */
export interface TtlOptions {
  persistent?: boolean;
  idleTimeout?: number | false;
}

/** One session's clocks and limits. */
export class Lifetime {
  /** ms since the epoch, a whole second (as sealed). */
  createdAt: number;
  /** ms since the epoch when the browser's cookie was last issued; `undefined` before the first. */
  issuedAt: number | undefined;
  /** This session's own absolute lifetime (seconds), `undefined` for the store's `ttl`. */
  #own: number | undefined;
  /** True when `setTtl` made the cookie persistent; `undefined` for the store's lifecycle. */
  #persistent: boolean | undefined;
  /** This session's own idle timeout (seconds), `false` for none, `undefined` for the store's. */
  #idle: number | false | undefined;

  constructor(
    private readonly o: ResolvedStoreOptions,
    payload: SessionPayload | undefined,
    issuedAt: number | undefined,
  ) {
    // Whole seconds, as sealed (`c`): the sealed expiry and `expiresAt` of the first response then match every later load's.
    this.createdAt = payload ? payload.createdAt : wholeSeconds(Date.now());
    this.issuedAt = issuedAt;
    this.#own = payload?.lifetime;
    this.#persistent = payload?.persistent ? true : undefined;
    this.#idle = payload?.idleTimeout;
  }

  /** When the session dies whatever happens (ms): created + its lifetime. */
  get expiresAt(): number {
    return this.createdAt + this.lifetimeSeconds * 1000;
  }

  /** When the session dies if no request comes (ms), never after `expiresAt`; counted from now before the first issue. */
  get idleExpiresAt(): number | undefined {
    const idle = this.idleSeconds;
    if (idle === undefined) return undefined;
    return Math.min(this.expiresAt, (this.issuedAt ?? Date.now()) + idle * 1000);
  }

  /** The absolute lifetime in force, seconds. */
  get lifetimeSeconds(): number {
    return absoluteSeconds(this.o, this.#own);
  }

  /** The idle timeout in force, seconds; `undefined` for none. */
  get idleSeconds(): number | undefined {
    return idleSecondsOf(this.o, this.#idle);
  }

  /** Whether the cookie gets a Max-Age. */
  get persistent(): boolean {
    return this.#persistent ?? this.o.persistent;
  }

  /** Throw `ERR_CONFIG_OPTION` unless `seconds` (and `options.idleTimeout`) are valid for `setTtl`. */
  static check(seconds: number, options: TtlOptions): void {
    const valid = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_OWN_SECONDS;
    if (!valid(seconds)) throw configError('ERR_CONFIG_OPTION', 'setTtl', 'seconds must be a whole number from 1 to ten years');
    const idle = options.idleTimeout;
    if (idle !== undefined && idle !== false && !valid(idle)) {
      throw configError('ERR_CONFIG_OPTION', 'setTtl.idleTimeout', 'must be a whole number of seconds from 1 to ten years, or false for none');
    }
  }

  /** This session's own limits (checked with {@link Lifetime.check}). */
  setOwn(seconds: number, options: TtlOptions): void {
    this.#own = seconds;
    this.#persistent = options.persistent ?? true ? true : undefined;
    if (options.idleTimeout !== undefined) this.#idle = options.idleTimeout;
  }

  /** Back to the store's limits (`destroy()`). */
  clearOwn(): void {
    this.#own = this.#persistent = this.#idle = undefined;
  }

  /** A new session from now: created now, never issued. */
  restart(): void {
    this.createdAt = wholeSeconds(Date.now());
    this.issuedAt = undefined;
  }

  /** A new id's lifetime starts now (`renew()`). */
  renew(): void {
    this.createdAt = wholeSeconds(Date.now());
  }

  /**
   * Whether a session the browser holds is due for a re-issue with nothing
   * changed: the sliding idle window at half its length, or `extend:
   * 'on-request'` after `touchAfter`.
   */
  reissueDue(now: number): boolean {
    const age = now - this.issuedAt!;
    const idle = this.idleSeconds;
    // touchAfter is capped at half the store's idle window; a session's own (setTtl) idle window may be shorter.
    if (this.o.extendOnRequest) return age >= (idle === undefined ? this.o.touchAfter : Math.min(this.o.touchAfter, idle / 2)) * 1000;
    return idle !== undefined && age >= (idle * 1000) / 2;
  }

  /** The lifetime fields of this session's payload. */
  payloadFields(): Pick<SessionPayload, 'createdAt' | 'lifetime' | 'persistent' | 'idleTimeout'> {
    return { createdAt: this.createdAt, lifetime: this.#own, persistent: this.#persistent, idleTimeout: this.#idle };
  }
}

/**
 * Which limit set the expiry sealed in a cookie (`end`, ms), now past: the
 * earlier, at issue, of the absolute end (created + lifetime) and the idle
 * end (issued + idle timeout). A lifetime of the session's own (`setTtl`) is
 * sealed, so then the absolute end is known and the answer exact. The
 * store's `ttl` and `idleTimeout` at issue are not: a deploy has raised one
 * of them since (that is how a cookie gets here: the current limits have not
 * run out), and which one cannot be told. The limit that comes first for this
 * cookie under the current values is taken, since raising one limit rarely
 * changes which comes first; a tie, or no idle timeout now, is `expired`.
 */
function sealedEndReason(end: number, createdAt: number, issuedAt: number, ownLifetime: number | undefined, idle: number | undefined, ttl: number): InvalidReason {
  // Compared, not matched: an absolute end computed from a creation time in ms (cookies from before it was whole seconds) lies up to 1 s later.
  if (ownLifetime !== undefined) return end < createdAt + ownLifetime * 1000 ? 'idle' : 'expired';
  return idle !== undefined && issuedAt + idle * 1000 < createdAt + ttl * 1000 ? 'idle' : 'expired';
}

/**
 * The time checks of an authentic cookie: clocks, the absolute lifetime, the
 * idle timeout, and the expiry sealed at issue. `undefined` when it passes,
 * else why it is refused.
 *
 * @param issuedAt the envelope's issue time (ms).
 * @param sealedExpiry the seal's own expiry (ms), `undefined` for none.
 */
export function lifetimeRefusal(
  o: ResolvedStoreOptions,
  payload: SessionPayload,
  issuedAt: number,
  sealedExpiry: number | undefined,
  now: number,
): InvalidReason | undefined {
  const createdAt = payload.createdAt;
  // Timestamps are ours; one from further in the future than the skew allowance means a clock went wrong: refuse rather than trust it.
  if (createdAt > now + o.skewMs || issuedAt > now + o.skewMs) return 'clock-skew';
  // This session's own lifetime and idle timeout (setTtl) when it has them, else the store's; never above maxTtl / maxIdleTimeout.
  const own = payload.lifetime === undefined ? undefined : absoluteSeconds(o, payload.lifetime);
  if (now >= createdAt + (own ?? o.ttl) * 1000) return 'expired';
  const idleTimeout = idleSecondsOf(o, payload.idleTimeout);
  if (idleTimeout !== undefined && now >= issuedAt + idleTimeout * 1000) return 'idle';
  // The limits in force when the cookie was issued (its sealed expiry) still bind, with the skew allowance.
  if (sealedExpiry !== undefined && sealedExpiry <= now - o.skewMs) {
    return sealedEndReason(sealedExpiry, createdAt, issuedAt, own, idleTimeout, o.ttl);
  }
  // notBefore: every session created before it is refused (a stateless "log everyone out").
  if (createdAt < o.notBefore) return 'revoked';
  return undefined;
}
