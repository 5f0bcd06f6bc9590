/**
 * Character classes from the cookie and HTTP grammars, checked with 128-entry
 * lookup tables and plain char-code loops, except cookie values (see
 * `NON_COOKIE_OCTET`). Every check is linear in its input; nothing can backtrack.
 *
 * Strings that pass these checks are pure US-ASCII, so their JavaScript
 * `length` equals their length in octets.
 *
 * @module
 */

/** Build a 128-entry membership table from inclusive `[from, to]` code ranges. */
function table(ranges: ReadonlyArray<readonly [number, number]>): Uint8Array {
  const t = new Uint8Array(128);
  for (const [from, to] of ranges) t.fill(1, from, to + 1);
  return t;
}

/**
 * RFC 6265bis §4.1.1:
 * `cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E`
 * (US-ASCII excluding CTLs, whitespace, DQUOTE, comma, semicolon and backslash).
 *
 * Matches one character that is NOT a cookie-octet. Values are the one hot,
 * long input (a sealed token is kilobytes), and a `String#search` for a single
 * negated class ran about 3× faster than a char-code loop on a 1.9 kB token
 * (bench/cookie.bench.ts). No quantifier, no alternation: it cannot backtrack.
 */
const NON_COOKIE_OCTET = /[^\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]/;

/**
 * RFC 9110 §5.6.2 (cookie-name = token, RFC 6265bis §4.1.1):
 * `tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
 *          "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA`
 */
const TCHAR = /* @__PURE__ */ table([
  [0x21, 0x21], // !
  [0x23, 0x27], // # $ % & '
  [0x2a, 0x2b], // * +
  [0x2d, 0x2e], // - .
  [0x30, 0x39], // DIGIT
  [0x41, 0x5a], // ALPHA (upper)
  [0x5e, 0x60], // ^ _ `
  [0x61, 0x7a], // ALPHA (lower)
  [0x7c, 0x7c], // |
  [0x7e, 0x7e], // ~
]);

/**
 * RFC 6265bis §4.1.1: `path-value = *av-octet`,
 * `av-octet = %x20-3A / %x3C-7E` (any CHAR except CTLs or ";"),
 * narrowed further: no SP (a URL path carries it as `%20`, and user agents
 * trim it) and no "," (some proxies fold Set-Cookie headers on commas).
 */
const PATH_OCTET = /* @__PURE__ */ table([
  [0x21, 0x2b],
  [0x2d, 0x3a],
  [0x3c, 0x7e],
]);

/** Index of the first character of `s` not in `t` (from `start`), or -1. */
function firstOutside(s: string, t: Uint8Array, start = 0): number {
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || t[c] !== 1) return i;
  }
  return -1;
}

/**
 * Index of the first character of `value` that is not an RFC 6265bis §4.1.1
 * `cookie-octet`, or -1 when every character is one. Linear, allocation-free.
 *
 * @example
 * ```ts
 * firstInvalidCookieOctet('abc');    // -1
 * firstInvalidCookieOctet('a;b');    // 1
 * ```
 */
export function firstInvalidCookieOctet(value: string): number {
  return value.search(NON_COOKIE_OCTET);
}

/**
 * True when `value` is a valid unquoted cookie value: zero or more RFC 6265bis
 * §4.1.1 `cookie-octet`s.
 *
 * @example
 * ```ts
 * isCookieValue('Fe26.2**abc');  // true
 * isCookieValue('a b');          // false (SP is not a cookie-octet)
 * ```
 */
export function isCookieValue(value: string): boolean {
  return !NON_COOKIE_OCTET.test(value);
}

/**
 * Index of the first character of `name` that is not an RFC 9110 §5.6.2
 * `tchar`, or -1 when every character is one (an empty string yields -1).
 *
 * @example
 * ```ts
 * firstInvalidTokenChar('session');  // -1
 * firstInvalidTokenChar('my session'); // 2
 * ```
 */
export function firstInvalidTokenChar(name: string): number {
  return firstOutside(name, TCHAR);
}

/**
 * True when `name` is a valid cookie name: a non-empty RFC 9110 §5.6.2
 * `token` (RFC 6265bis §4.1.1 `cookie-name = token`).
 *
 * @example
 * ```ts
 * isCookieName('__Host-session'); // true
 * isCookieName('a=b');            // false
 * ```
 */
export function isCookieName(name: string): boolean {
  return name.length > 0 && firstOutside(name, TCHAR) === -1;
}

/**
 * Index of the first character of `path` that may not appear in a Path
 * attribute value (RFC 6265bis §4.1.1 av-octet, minus SP and ","), or -1.
 *
 * @example
 * ```ts
 * firstInvalidPathChar('/app');      // -1
 * firstInvalidPathChar('/a;b');      // 2
 * ```
 */
export function firstInvalidPathChar(path: string): number {
  return firstOutside(path, PATH_OCTET);
}

/**
 * Hex notation of the character at `index`, for error messages that must
 * describe a bad character without echoing (possibly control) input.
 *
 * @example
 * ```ts
 * describeChar('a\nb', 1); // '0x0A at index 1'
 * ```
 */
export function describeChar(s: string, index: number): string {
  const hex = s.charCodeAt(index).toString(16).toUpperCase();
  return `0x${hex.length % 2 === 1 ? '0' + hex : hex} at index ${index}`;
}
