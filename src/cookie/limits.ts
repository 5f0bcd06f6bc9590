/**
 * Numeric limits that user agents apply to cookies (draft-ietf-httpbis-rfc6265bis).
 * Every limit here is one a browser enforces *silently*: a cookie that breaks it
 * is dropped or truncated without any error reaching the server, so the codec
 * enforces them up front instead.
 *
 * @module
 */

/**
 * RFC 6265bis §5.6 step 5: a user agent ignores a Set-Cookie whose
 * `len(name) + len(value)` exceeds 4096 octets (the `=` is not counted).
 *
 * @example
 * ```ts
 * const fits = name.length + value.length <= MAX_NAME_VALUE_BYTES;
 * ```
 */
export const MAX_NAME_VALUE_BYTES = 4096;

/**
 * RFC 6265bis §5.6: an attribute value longer than 1024 octets makes the user
 * agent ignore the attribute (so a long Path silently becomes the default path).
 *
 * @example
 * ```ts
 * if (path.length > MAX_ATTRIBUTE_VALUE_BYTES) throw new Error('path too long');
 * ```
 */
export const MAX_ATTRIBUTE_VALUE_BYTES = 1024;

/**
 * RFC 6265bis §5.6.1/§5.6.2: user agents cap Max-Age and Expires at 400 days
 * (400 × 86 400 = 34 560 000 seconds).
 *
 * @example
 * ```ts
 * const seconds = Math.min(requested, MAX_AGE_CAP_SECONDS);
 * ```
 */
export const MAX_AGE_CAP_SECONDS = 34_560_000;

/**
 * Largest supported number of cookies in one chunk group: the base cookie
 * `name` plus `name.1` … `name.99` (chunk indexes are one or two digits).
 *
 * @example
 * ```ts
 * resolveCookieOptions({ name: 'sid' }, MAX_CHUNKS); // longest chunk name: 'sid.99'
 * ```
 */
export const MAX_CHUNKS = 100;

/**
 * The cookie name must leave at least this many octets for the value of the
 * longest chunk cookie, within {@link MAX_NAME_VALUE_BYTES}.
 *
 * @example
 * ```ts
 * const longestName = MAX_NAME_VALUE_BYTES - MIN_CHUNK_VALUE_BYTES; // 3840
 * ```
 */
export const MIN_CHUNK_VALUE_BYTES = 256;

/**
 * Longest domain name (RFC 1035 §2.3.4, in presentation form without the
 * trailing dot).
 *
 * @example
 * ```ts
 * if (domain.length > MAX_DOMAIN_LENGTH) throw new Error('domain too long');
 * ```
 */
export const MAX_DOMAIN_LENGTH = 253;
