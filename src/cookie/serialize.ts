/**
 * Set-Cookie header values, with attributes always in one order:
 * `name=value; Max-Age=N; Expires=…; Path=/; Domain=x; HttpOnly; Secure; SameSite=Lax; Partitioned`.
 *
 * @module
 */

import { configError, SessionError } from '../errors';
import { describeChar, firstInvalidCookieOctet, firstInvalidTokenChar } from './grammar';
import { MAX_NAME_VALUE_BYTES } from './limits';
import { clampMaxAge, EPOCH_EXPIRES, httpDate } from './max-age';
import type { ResolvedCookieOptions, SameSite } from './options';

const SAME_SITE_ATTRIBUTE: Readonly<Record<SameSite, string>> = {
  lax: '; SameSite=Lax',
  strict: '; SameSite=Strict',
  none: '; SameSite=None',
};

/** The attributes after Max-Age/Expires, shared by cookies and their removals. */
function attributes(options: ResolvedCookieOptions): string {
  let out = '; Path=' + options.path;
  if (options.domain !== undefined) out += '; Domain=' + options.domain;
  if (options.httpOnly) out += '; HttpOnly';
  if (options.secure) out += '; Secure';
  out += SAME_SITE_ATTRIBUTE[options.sameSite];
  if (options.partitioned) out += '; Partitioned';
  return out;
}

/** Chunk names are built by callers; make sure they are still tokens. */
function assertName(name: string): void {
  // RFC 6265bis §4.1.1: cookie-name = token (RFC 9110 §5.6.2).
  const bad = typeof name === 'string' ? firstInvalidTokenChar(name) : 0;
  if (typeof name !== 'string' || name.length === 0 || bad !== -1) {
    throw configError(
      'ERR_CONFIG_COOKIE',
      'cookie.name',
      typeof name === 'string' && name.length > 0
        ? `contains a character not allowed in a cookie name (${describeChar(name, bad)}); use an RFC 9110 token`
        : 'must be a non-empty string; pass the name from resolveCookieOptions',
    );
  }
}

/**
 * Serialise a Set-Cookie header value.
 *
 * `value` must consist of RFC 6265bis §4.1.1 cookie-octets (the sealed tokens
 * this library produces always do); anything else is a programming error and
 * throws `ERR_CONFIG_COOKIE` (the message gives the index, never the value).
 * A name plus value over {@link MAX_NAME_VALUE_BYTES} octets, which user
 * agents would silently ignore (RFC 6265bis §5.6 step 5), throws
 * `ERR_SESSION_TOO_LARGE` with `size`.
 *
 * @param name the cookie name: `options.name`, or a chunk name `name.N`.
 * @param maxAge lifetime in seconds, normalised with {@link clampMaxAge}
 *   (a matching Expires is added for old clients, from `Date.now()`);
 *   `undefined` makes a browser-session cookie with neither attribute;
 *   zero or negative gives `Max-Age=0` and an epoch Expires (a removal).
 *
 * @example
 * ```ts
 * const options = resolveCookieOptions();
 * // at 2024-01-01T00:00:00Z:
 * serializeCookie('session', 'Fe26.2**abc', options, 3600);
 * // 'session=Fe26.2**abc; Max-Age=3600; Expires=Mon, 01 Jan 2024 01:00:00 GMT;
 * //  Path=/; HttpOnly; Secure; SameSite=Lax'   (one line)
 * serializeCookie('session', 'abc', options);
 * // 'session=abc; Path=/; HttpOnly; Secure; SameSite=Lax'
 * ```
 */
export function serializeCookie(name: string, value: string, options: ResolvedCookieOptions, maxAge?: number): string {
  assertName(name);
  if (typeof value !== 'string') {
    throw configError('ERR_CONFIG_COOKIE', 'cookie.value', 'must be a string of cookie-octets; encode the value (e.g. seal it) before serialising');
  }
  // RFC 6265bis §4.1.1: cookie-value = *cookie-octet (we never emit the DQUOTE form).
  const bad = firstInvalidCookieOctet(value);
  if (bad !== -1) {
    throw configError(
      'ERR_CONFIG_COOKIE',
      'cookie.value',
      `has a character outside RFC 6265bis cookie-octet at index ${bad}; encode the value (e.g. base64url, or seal it) before serialising`,
    );
  }
  // RFC 6265bis §5.6 step 5: ignored by user agents when name + value > 4096 octets.
  // Both are ASCII after the checks above, so length is the octet count.
  const measured = name.length + value.length;
  if (measured > MAX_NAME_VALUE_BYTES) {
    throw new SessionError(
      'ERR_SESSION_TOO_LARGE',
      `sealed-session: cookie name plus value is ${measured} octets, over the ${MAX_NAME_VALUE_BYTES} a user agent accepts; store less in the session or allow more chunks`,
      { size: { measured, allowed: MAX_NAME_VALUE_BYTES } },
    );
  }
  return formatCookie(name, value, options, maxAge);
}

/**
 * {@link serializeCookie} without the checks on `name` and `value`, for the
 * session writer's own output: chunk names built from a validated cookie
 * name, and values cut from an iron token (whose alphabet, `A-Z a-z 0-9 - _ . *`,
 * is all cookie-octets) by a planner that keeps name + value within 4096.
 *
 * @internal
 */
export function formatCookie(name: string, value: string, options: ResolvedCookieOptions, maxAge?: number): string {
  let out = name + '=' + value;
  if (maxAge !== undefined) {
    const seconds = clampMaxAge(maxAge);
    out += '; Max-Age=' + seconds + '; Expires=' + (seconds === 0 ? EPOCH_EXPIRES : httpDate(Date.now(), seconds));
  }
  return out + attributes(options);
}

/**
 * Serialise a Set-Cookie header value that removes the cookie `name`: empty
 * value, `Max-Age=0`, an epoch Expires, and the same Path, Domain, Secure,
 * HttpOnly, SameSite and Partitioned as {@link serializeCookie} emits for the
 * same options (a removal only matches a cookie with the same Path, Domain and
 * partition, and Secure/SameSite=None/Partitioned are needed for it to be accepted).
 *
 * @example
 * ```ts
 * serializeRemoval('session.1', resolveCookieOptions());
 * // 'session.1=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT;
 * //  Path=/; HttpOnly; Secure; SameSite=Lax'   (one line)
 * ```
 */
export function serializeRemoval(name: string, options: ResolvedCookieOptions): string {
  assertName(name);
  return name + '=; Max-Age=0; Expires=' + EPOCH_EXPIRES + attributes(options);
}
