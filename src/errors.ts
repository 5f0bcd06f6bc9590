/**
 * Every error this library throws is a {@link SessionError} with a stable
 * {@link SessionErrorCode}. Match on `code`, never on `message`: messages may
 * be reworded, codes never change meaning.
 *
 * Messages never contain a secret, a sealed value or the session's state.
 *
 * @module
 */

/**
 * Stable error codes.
 *
 * Configuration errors (thrown at construction, so a bad deployment fails at
 * start-up rather than on the first request):
 * - `ERR_CONFIG_KEYS`: the key ring is unusable (too short, duplicate id, bad id…).
 * - `ERR_CONFIG_COOKIE`: a cookie name or attribute breaks RFC 6265bis or a prefix rule.
 * - `ERR_CONFIG_OPTION`: any other option is out of range or of the wrong type, or an option name is unknown (a typo; the message names the nearest).
 *
 * Sealing and unsealing (see `sealData` / `unsealData`):
 * - `ERR_SEAL_NOT_SERIALIZABLE`: the value cannot be represented as JSON.
 * - `ERR_SEAL_MALFORMED`: not an iron token (wrong prefix, component count, encoding).
 * - `ERR_SEAL_BAD_MAC`: the integrity check failed: tampered, or sealed with another secret.
 * - `ERR_SEAL_EXPIRED`: the expiry inside the token has passed.
 * - `ERR_SEAL_UNKNOWN_KEY`: the token names a key id that is not in the ring (retired key).
 * - `ERR_SEAL_PURPOSE`: authentic, but sealed for another purpose (or by another library).
 * - `ERR_SEAL_NOT_JSON`: authentic, but the plaintext is not JSON.
 * - `ERR_SEAL_INFLATE_LIMIT`: authentic, but its compressed payload inflates past the bound (`maxInflatedBytes`).
 *
 * Sessions:
 * - `ERR_SESSION_INVALID`: the schema rejected a value being written; see `issues`.
 * - `ERR_SESSION_TOO_LARGE`: the sealed state does not fit the cookie budget; see `size`.
 * - `ERR_SESSION_HEADERS_SENT`: a commit came after the response headers went out.
 * - `ERR_SESSION_ADAPTER`: `handleSession` was given objects it cannot read or write.
 *
 * Storage backends (a session whose state lives in a store, e.g. Redis):
 * - `ERR_STORE_UNAVAILABLE`: the store did not answer in time, could not be
 *   reached, or answered with an error: the request must fail, never go on
 *   with an empty session. The session is intact when the store is back.
 * - `ERR_STORE_CONFLICT`: a versioned write could not be applied because
 *   another request changed the session first (after the retries, if any).
 *
 * @example
 * ```ts
 * function status(code: SessionErrorCode): number {
 *   return code === 'ERR_SESSION_TOO_LARGE' ? 413 : code.startsWith('ERR_CONFIG_') ? 500 : 400;
 * }
 * ```
 */
export type SessionErrorCode =
  | 'ERR_CONFIG_KEYS'
  | 'ERR_CONFIG_COOKIE'
  | 'ERR_CONFIG_OPTION'
  | 'ERR_SEAL_NOT_SERIALIZABLE'
  | 'ERR_SEAL_MALFORMED'
  | 'ERR_SEAL_BAD_MAC'
  | 'ERR_SEAL_EXPIRED'
  | 'ERR_SEAL_UNKNOWN_KEY'
  | 'ERR_SEAL_PURPOSE'
  | 'ERR_SEAL_NOT_JSON'
  | 'ERR_SEAL_INFLATE_LIMIT'
  | 'ERR_SESSION_INVALID'
  | 'ERR_SESSION_TOO_LARGE'
  | 'ERR_SESSION_HEADERS_SENT'
  | 'ERR_SESSION_ADAPTER'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_STORE_CONFLICT';

/**
 * The subset of codes an unseal can fail with.
 *
 * @example
 * ```ts
 * const retryable: Record<UnsealErrorCode, boolean> = {
 *   ERR_SEAL_MALFORMED: false,
 *   ERR_SEAL_BAD_MAC: false,
 *   ERR_SEAL_EXPIRED: true, // send a new link
 *   ERR_SEAL_UNKNOWN_KEY: false,
 *   ERR_SEAL_PURPOSE: false,
 *   ERR_SEAL_NOT_JSON: false,
 * };
 * ```
 */
export type UnsealErrorCode =
  | 'ERR_SEAL_MALFORMED'
  | 'ERR_SEAL_BAD_MAC'
  | 'ERR_SEAL_EXPIRED'
  | 'ERR_SEAL_UNKNOWN_KEY'
  | 'ERR_SEAL_PURPOSE'
  | 'ERR_SEAL_NOT_JSON';

/**
 * One problem reported by a schema (Standard Schema issue shape), as found
 * in `SessionError#issues` with `ERR_SESSION_INVALID`.
 *
 * @example
 * ```ts
 * const where = (issue: SchemaIssue) =>
 *   (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.');
 * ```
 */
export interface SchemaIssue {
  /** What is wrong, in the schema library's words. */
  readonly message: string;
  /** Where in the state, from the root: keys and array indexes, possibly wrapped as `{ key }`. Empty or absent for the root. */
  readonly path?: ReadonlyArray<PropertyKey | {
    /** The key or index of one path segment. */
    readonly key: PropertyKey;
  }> | undefined;
}

/**
 * Measured and allowed sizes, in bytes, attached to `ERR_SESSION_TOO_LARGE`.
 *
 * @example
 * ```ts
 * if (isSessionError(err, 'ERR_SESSION_TOO_LARGE') && err.size) {
 *   console.warn(`session is ${err.size.measured - err.size.allowed} bytes over budget`);
 * }
 * ```
 */
export interface SizeReport {
  /** Bytes the session's cookies would take in the request `Cookie` header (names, `=`, values and `; ` separators, all chunks). */
  readonly measured: number;
  /** Bytes the configuration allows. */
  readonly allowed: number;
}

/**
 * Extra, code-specific details: the third argument of the
 * {@link SessionError} constructor. The library builds these itself;
 * constructing a `SessionError` is mostly useful in your own tests.
 *
 * @example
 * ```ts
 * const details: SessionErrorDetails = { size: { measured: 9000, allowed: 6144 } };
 * const err = new SessionError('ERR_SESSION_TOO_LARGE', 'too large', details);
 * ```
 */
export interface SessionErrorDetails {
  /** With `ERR_SESSION_INVALID`: what the schema rejected. */
  issues?: readonly SchemaIssue[];
  /** With `ERR_SESSION_TOO_LARGE`: how far over budget the state is. */
  size?: SizeReport;
  /** With `ERR_CONFIG_*`: the option at fault, e.g. `cookie.sameSite` or `keys[1]`. */
  option?: string;
  /** The lower-level error, when there is one (never a secret). */
  cause?: unknown;
}

/**
 * What `err.details` holds for each code: sizes with `ERR_SESSION_TOO_LARGE`,
 * the schema's issues with `ERR_SESSION_INVALID`, the option at fault with
 * `ERR_CONFIG_*`; nothing for the other codes. Narrow with
 * {@link isSessionError} to read them without optional chaining.
 *
 * @example
 * ```ts
 * if (isSessionError(err, 'ERR_SESSION_TOO_LARGE')) {
 *   console.warn(`session is ${err.details.measured - err.details.allowed} bytes over budget`);
 * }
 * ```
 */
export interface SessionErrorDetailsByCode {
  /** Measured and allowed bytes. */
  ERR_SESSION_TOO_LARGE: SizeReport;
  /** What the schema (or the JSON check) rejected. */
  ERR_SESSION_INVALID: {
    /** The issues, with their paths (never the values). */
    readonly issues: readonly SchemaIssue[];
  };
  /** The key option at fault, e.g. `keys[1]`. */
  ERR_CONFIG_KEYS: {
    /** The option at fault. */
    readonly option: string;
  };
  /** The cookie option at fault, e.g. `cookie.sameSite`. */
  ERR_CONFIG_COOKIE: {
    /** The option at fault. */
    readonly option: string;
  };
  /** The option at fault, e.g. `maxBytes`. */
  ERR_CONFIG_OPTION: {
    /** The option at fault. */
    readonly option: string;
  };
}

/**
 * `err.details` for code `C`: see {@link SessionErrorDetailsByCode}; an
 * empty object for codes without details.
 *
 * @example
 * ```ts
 * const report: DetailsOf<'ERR_SESSION_TOO_LARGE'> = { measured: 9000, allowed: 6144 };
 * ```
 */
export type DetailsOf<C extends SessionErrorCode> = C extends keyof SessionErrorDetailsByCode ? SessionErrorDetailsByCode[C] : Readonly<Record<never, never>>;

/** `details` from the constructor's third argument, by code. */
function detailsFor(code: SessionErrorCode, { size, issues, option }: SessionErrorDetails): object {
  const found =
    code === 'ERR_SESSION_TOO_LARGE' ? size : code === 'ERR_SESSION_INVALID' ? issues && { issues } : code.startsWith('ERR_CONFIG_') ? option !== undefined && { option } : undefined;
  return found || {};
}

/**
 * The brand every {@link SessionError} carries (a registered symbol, so the
 * same in every copy of the library). `dist/index.js` and `dist/index.cjs`
 * each define their own class, and an app can load both (the dual package
 * hazard), or two bundles can each inline one: `instanceof` alone would then
 * miss errors thrown by the other copy.
 */
const SESSION_ERROR_BRAND: unique symbol = /* @__PURE__ */ Symbol.for('sealed-session.SessionError') as never;

/**
 * The only error class the library throws.
 *
 * `instanceof SessionError` and {@link isSessionError} also recognise an
 * error thrown by another copy of the library in the same process (its ESM
 * and CJS builds both loaded, or two bundles): both test a brand, not the
 * prototype chain.
 *
 * @example
 * ```ts
 * import { unsealData, SessionError } from 'sealed-session';
 *
 * try {
 *   await unsealData(token, { keys, purpose: 'magic-link' });
 * } catch (err) {
 *   if (err instanceof SessionError && err.code === 'ERR_SEAL_EXPIRED') {
 *     // ask for a new link
 *   }
 * }
 * ```
 */
export class SessionError<C extends SessionErrorCode = SessionErrorCode> extends Error {
  /**
   * Always `'SessionError'`, also across realms and bundles where
   * `instanceof` may fail.
   *
   * @example
   * ```ts
   * if (err instanceof Error && err.name === 'SessionError') report(err);
   * ```
   */
  override readonly name = 'SessionError';
  /**
   * Stable machine-readable code; see {@link SessionErrorCode}.
   *
   * @example
   * ```ts
   * if (err instanceof SessionError && err.code === 'ERR_SESSION_HEADERS_SENT') console.error(err.message);
   * ```
   */
  readonly code: C;
  /**
   * Code-specific details, typed by code once narrowed with
   * {@link isSessionError}: see {@link SessionErrorDetailsByCode}. The
   * library always fills them in for the codes that have them.
   *
   * @example
   * ```ts
   * if (isSessionError(err, 'ERR_SESSION_TOO_LARGE')) console.warn(err.details.measured, err.details.allowed);
   * ```
   */
  declare readonly details: DetailsOf<C>;
  /**
   * With `ERR_SESSION_INVALID`: the schema's issues.
   *
   * @example
   * ```ts
   * if (isSessionError(err, 'ERR_SESSION_INVALID')) return Response.json({ issues: err.issues }, { status: 422 });
   * ```
   */
  declare readonly issues?: readonly SchemaIssue[];
  /**
   * With `ERR_SESSION_TOO_LARGE`: measured and allowed bytes.
   *
   * @example
   * ```ts
   * if (isSessionError(err, 'ERR_SESSION_TOO_LARGE')) console.warn(err.size?.measured, err.size?.allowed);
   * ```
   */
  declare readonly size?: SizeReport;
  /**
   * With configuration errors: the option at fault, e.g. `cookie.sameSite` or `keys[1] (id "2")`.
   *
   * @example
   * ```ts
   * try {
   *   new CookieSessionStore({ keys: 'too short' });
   * } catch (err) {
   *   if (isSessionError(err, 'ERR_CONFIG_KEYS')) console.error(err.option); // 'keys'
   * }
   * ```
   */
  declare readonly option?: string;

  /**
   * `value instanceof SessionError` is true for any SessionError, including
   * one from another copy of the library (a brand test; a subclass keeps the
   * ordinary prototype test).
   *
   * @example
   * ```ts
   * if (err instanceof SessionError) console.warn(err.code);
   * ```
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return this === SessionError ? isBranded(value) : Function.prototype[Symbol.hasInstance].call(this, value);
  }

  /**
   * @param code the stable code.
   * @param message a human-readable message (never a secret, a sealed value or session state).
   * @param details code-specific details, see {@link SessionErrorDetails}.
   */
  constructor(code: C, message: string, details: SessionErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    Object.defineProperty(this, SESSION_ERROR_BRAND, { value: true });
    this.code = code;
    // Not enumerable: a logged or JSON-serialized error keeps the fields it had (`issues`, `size`, `option`).
    Object.defineProperty(this, 'details', { value: Object.freeze(detailsFor(code, details)) });
    if (details.issues !== undefined) this.issues = details.issues;
    if (details.size !== undefined) this.size = details.size;
    if (details.option !== undefined) this.option = details.option;
  }
}

/**
 * Narrow an unknown value to a {@link SessionError}, optionally with a given code.
 *
 * @example
 * ```ts
 * if (isSessionError(err, 'ERR_SESSION_TOO_LARGE')) console.warn(err.size);
 * ```
 */
export function isSessionError<C extends SessionErrorCode>(
  value: unknown,
  code?: C,
): value is SessionError<C> {
  return isBranded(value) && (code === undefined || (value as SessionError).code === code);
}

function isBranded(value: unknown): value is SessionError {
  return typeof value === 'object' && value !== null && (value as { [SESSION_ERROR_BRAND]?: unknown })[SESSION_ERROR_BRAND] === true;
}

/** Shorthand for configuration errors: names the option and says what to change. */
export function configError(
  code: 'ERR_CONFIG_KEYS' | 'ERR_CONFIG_COOKIE' | 'ERR_CONFIG_OPTION',
  option: string,
  message: string,
): SessionError {
  return new SessionError(code, `sealed-session: ${option}: ${message}`, { option });
}

/**
 * Throw `ERR_CONFIG_OPTION` for the first own property of `options` whose
 * name is not in `known` (a typo such as `idleTimout`, which plain
 * JavaScript would otherwise ignore), naming the nearest valid option, or
 * listing them when none is near. `prefix` is where the object sits
 * (`'cookie.'`). A name that does not look like an option (32 characters or more, as long as a secret, or with
 * characters other than letters, digits, `_`, `$`, `-`) is described, not
 * echoed: it may be a secret put in the wrong place.
 *
 * @internal
 */
export function rejectUnknownOptions(options: object, known: readonly string[], prefix = ''): void {
  for (const name in options) {
    if (!Object.hasOwn(options, name) || known.includes(name)) continue;
    const shown = /^[\w$-]{1,31}$/.test(name);
    const near = shown ? nearestName(name, known) : undefined;
    throw configError(
      'ERR_CONFIG_OPTION',
      shown ? `${prefix}${name}` : `${prefix || 'options'} (an option name of ${name.length} characters)`,
      `is not an option${near === undefined ? '.' : `; did you mean ${prefix}${near}?`} Valid ${prefix ? `${prefix.slice(0, -1)} ` : ''}options: ${known.join(', ')}`,
    );
  }
}

/** The known name closest to `name` (case-insensitive edit distance, with transpositions), if close enough to be a typo. */
function nearestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). Inputs are short option names. */
function editDistance(a: string, b: string): number {
  let previous2: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, previous2[j - 2]! + 1);
      current.push(d);
    }
    previous2 = previous;
    previous = current;
  }
  return previous[b.length]!;
}
