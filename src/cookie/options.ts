/**
 * Cookie options: defaults, validation and normalisation. Everything a user
 * agent would silently drop or ignore is rejected here, at construction time,
 * with a `ERR_CONFIG_COOKIE` error that names the option and says what to change.
 *
 * Error messages never echo the offending input (it may hold control
 * characters); they give the character code and its index instead.
 *
 * @module
 */

import { configError, rejectUnknownOptions } from '../errors';
import { assertMaxChunks, chunkSuffixLength } from './chunks';
import { describeChar, firstInvalidPathChar, firstInvalidTokenChar } from './grammar';
import {
  MAX_ATTRIBUTE_VALUE_BYTES,
  MAX_DOMAIN_LENGTH,
  MAX_NAME_VALUE_BYTES,
  MIN_CHUNK_VALUE_BYTES,
} from './limits';

/**
 * The SameSite attribute, in the library's canonical lower-case spelling.
 *
 * @example
 * ```ts
 * const sameSite: SameSite = 'strict';
 * ```
 */
export type SameSite = 'lax' | 'strict' | 'none';

/**
 * Cookie options as the user writes them; every field is optional.
 *
 * @example
 * ```ts
 * const cookie: CookieOptions = { name: '__Host-session', sameSite: 'strict' };
 * ```
 */
export interface CookieOptions {
  /** Cookie name, an RFC 9110 token not ending in `.<digits>`. Default `'session'`. */
  name?: string;
  /** Send only over HTTPS. Default `true`. */
  secure?: boolean;
  /** Hide from `document.cookie`. Default `true`. */
  httpOnly?: boolean;
  /** SameSite attribute; matched case-insensitively. Default `'lax'`. */
  sameSite?: SameSite | Capitalize<SameSite>;
  /** Path attribute; must start with `/`. Default `'/'`. */
  path?: string;
  /**
   * Domain attribute. Default: none (a host-only cookie). A host name of at
   * least two labels; a single label (`com`, `localhost`) and an IPv4 or IPv6
   * address are refused, since user agents drop or scope them to the host.
   */
  domain?: string;
  /** CHIPS `Partitioned` attribute (needs `secure`). Default `false`. */
  partitioned?: boolean;
}

/**
 * Validated, defaulted and frozen cookie options, as returned by
 * {@link resolveCookieOptions}.
 *
 * @example
 * ```ts
 * const resolved: ResolvedCookieOptions = resolveCookieOptions({ path: '/app' });
 * resolved.sameSite; // 'lax'
 * ```
 */
export interface ResolvedCookieOptions {
  readonly name: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly sameSite: SameSite;
  readonly path: string;
  readonly domain?: string;
  readonly partitioned: boolean;
}

const ERR = 'ERR_CONFIG_COOKIE';

/** Every option name of {@link CookieOptions}; any other is refused (`ERR_CONFIG_OPTION`, naming the nearest). */
const COOKIE_OPTIONS: readonly string[] = ['name', 'secure', 'httpOnly', 'sameSite', 'path', 'domain', 'partitioned'];

/** Case-insensitive ASCII prefix test (user agents match cookie prefixes case-insensitively). */
function hasPrefixCI(name: string, lowerPrefix: string): boolean {
  return name.length >= lowerPrefix.length && name.slice(0, lowerPrefix.length).toLowerCase() === lowerPrefix;
}

function resolveBoolean(value: unknown, fallback: boolean, option: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw configError(ERR, option, `must be true or false, not a ${value === null ? 'null' : typeof value}; pass a boolean or leave it out (default ${String(fallback)})`);
  }
  return value;
}

/** True when `name` ends in `.` followed by one or more decimal digits. */
function endsInDotDigits(name: string): boolean {
  let i = name.length - 1;
  while (i >= 0) {
    const c = name.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    i--;
  }
  return i < name.length - 1 && i >= 0 && name.charCodeAt(i) === 0x2e;
}

function resolveName(value: unknown, maxChunks: number): string {
  if (value === undefined) return 'session';
  const option = 'cookie.name';
  if (typeof value !== 'string') {
    throw configError(ERR, option, `must be a string such as 'session', not a ${value === null ? 'null' : typeof value}`);
  }
  if (value.length === 0) {
    throw configError(ERR, option, "must not be empty; use a name such as 'session' or leave it out");
  }
  // RFC 6265bis §4.1.1: cookie-name = token (RFC 9110 §5.6.2).
  const bad = firstInvalidTokenChar(value);
  if (bad !== -1) {
    throw configError(
      ERR,
      option,
      `contains a character not allowed in a cookie name (${describeChar(value, bad)}); use only letters, digits and !#$%&'*+-.^_\`|~ (an RFC 9110 token: no spaces, '=', ';', ',', quotes or control characters)`,
    );
  }
  if (endsInDotDigits(value)) {
    throw configError(
      ERR,
      option,
      "must not end in '.' followed by digits, because chunk cookies are named '<name>.1', '<name>.2', …; rename it, e.g. replace the last '.' with '_' or '-'",
    );
  }
  // RFC 6265bis §5.6 step 5: name + value of every chunk cookie must fit in 4096 octets.
  const longest = MAX_NAME_VALUE_BYTES - MIN_CHUNK_VALUE_BYTES - chunkSuffixLength(maxChunks);
  if (value.length > longest) {
    throw configError(
      ERR,
      option,
      `is ${value.length} octets; every chunk cookie name must leave ${MIN_CHUNK_VALUE_BYTES} of the ${MAX_NAME_VALUE_BYTES} octets a user agent accepts for name and value, so shorten the name to at most ${longest} octets`,
    );
  }
  return value;
}

function resolveSameSite(value: unknown): SameSite {
  if (value === undefined) return 'lax';
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'lax' || lower === 'strict' || lower === 'none') return lower;
  }
  throw configError(ERR, 'cookie.sameSite', "must be 'lax', 'strict' or 'none' (any letter case); pick one of those or leave it out (default 'lax')");
}

function resolvePath(value: unknown): string {
  if (value === undefined) return '/';
  const option = 'cookie.path';
  if (typeof value !== 'string') {
    throw configError(ERR, option, `must be a string starting with '/', not a ${value === null ? 'null' : typeof value}`);
  }
  if (value.charCodeAt(0) !== 0x2f) {
    throw configError(ERR, option, "must start with '/' (user agents replace any other path with the request's default path); use e.g. '/' or '/app'");
  }
  // RFC 6265bis §4.1.1 path-value = *av-octet (no CTLs or ';'), and no SP or ','.
  const bad = firstInvalidPathChar(value);
  if (bad !== -1) {
    throw configError(
      ERR,
      option,
      `contains a character not allowed in a Path attribute (${describeChar(value, bad)}); remove control characters, spaces, ';' and ',' and percent-encode anything else outside printable ASCII, as it appears in the URL`,
    );
  }
  // RFC 6265bis §5.6: attribute values over 1024 octets are ignored.
  if (value.length > MAX_ATTRIBUTE_VALUE_BYTES) {
    throw configError(ERR, option, `is ${value.length} octets; user agents ignore a Path longer than ${MAX_ATTRIBUTE_VALUE_BYTES} octets, so use a shorter path`);
  }
  return value;
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function resolveDomain(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const option = 'cookie.domain';
  if (typeof value !== 'string') {
    throw configError(ERR, option, `must be a host name such as 'example.com', not a ${value === null ? 'null' : typeof value}; leave it out for a host-only cookie`);
  }
  // RFC 6265bis §4.1.2.3 / §5.6.3: Domain is a host name (RFC 1034 §3.5 / RFC 1123 §2.1
  // preferred syntax: labels of letters, digits and '-', separated by '.'); a leading '.'
  // is allowed and ignored by user agents.
  const start = value.charCodeAt(0) === 0x2e ? 1 : 0;
  const length = value.length - start;
  if (length === 0) {
    throw configError(ERR, option, "must not be empty; give a host name such as 'example.com' or leave domain out for a host-only cookie");
  }
  if (length > MAX_DOMAIN_LENGTH) {
    throw configError(ERR, option, `is ${length} characters; a domain name has at most ${MAX_DOMAIN_LENGTH}, so use a shorter domain`);
  }
  // An IPv6 literal (`::1`, `[::1]`) would fail the host-name check below with a character message; say what it is.
  if (/^\[?[\da-f:.]*:[\da-f:.]*\]?$/i.test(value.slice(start))) {
    throw configError(ERR, option, `is an IPv6 address; ${IP_DOMAIN_ADVICE}`);
  }
  let labelStart = start;
  let labels = 0;
  for (let i = start; i <= value.length; i++) {
    const c = i < value.length ? value.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      const labelLength = i - labelStart;
      if (labelLength === 0) {
        throw configError(ERR, option, "has an empty label (two dots in a row, or a leading/trailing dot); write it like 'example.com' or '.example.com'");
      }
      if (labelLength > 63) {
        throw configError(ERR, option, `has a label of ${labelLength} characters; each dot-separated label is at most 63, so use a shorter domain`);
      }
      if (value.charCodeAt(labelStart) === 0x2d || value.charCodeAt(i - 1) === 0x2d) {
        throw configError(ERR, option, "has a label that starts or ends with '-'; use a valid host name such as 'my-app.example.com'");
      }
      labelStart = i + 1;
      labels++;
    } else if (!isAlnum(c) && c !== 0x2d) {
      throw configError(
        ERR,
        option,
        `contains a character not allowed in a host name (${describeChar(value, i)}); use only letters, digits, '-' and '.' (write internationalised names in their xn-- form, and leave out the scheme, port and path)`,
      );
    }
  }
  // RFC 6265bis §5.1.3: only a host name, never an IP address, domain-matches by suffix, so a Domain
  // that is an IP address reaches no other host; user agents treat a host whose last label is a number
  // (`127.0.0.1`, `127.1`, `0x7f.1`, `2130706433`) as IPv4, as the WHATWG URL host parser does.
  const last = value.slice(value.lastIndexOf('.') + 1);
  if (/^(?:\d+|0x[\da-f]*)$/i.test(last)) {
    throw configError(ERR, option, `is an IPv4 address (its last label is a number); ${IP_DOMAIN_ADVICE}`);
  }
  // RFC 6265bis §5.6.3 and §5.7 (storage model, step on public suffixes): a Domain that is a public
  // suffix (`com`, `co.uk`, `github.io`) makes the cookie host-only at best and is dropped when the
  // request host differs. We do not ship the public suffix list; a single label is always a TLD or an
  // intranet / `localhost` name, so refuse that. `localhost` too: a host-only cookie (no domain) covers
  // it exactly, and browsers disagree on Domain=localhost (some drop the cookie).
  if (labels === 1) {
    throw configError(
      ERR,
      option,
      `is a single label; user agents refuse a Domain that is a top-level domain or another public suffix, so give your own registrable domain such as 'example.com' (shared with its subdomains), or leave domain out for a host-only cookie (also the way to go on localhost)`,
    );
  }
  return value;
}

/** What to do instead of a Domain that is an IP address. */
const IP_DOMAIN_ADVICE =
  "a cookie for an IP address can only be host-only (RFC 6265bis §5.1.3: an IP address domain-matches nothing but itself), so leave domain out; give a host name such as 'example.com' to share the cookie with subdomains";

/**
 * Validate cookie options and fill in defaults. Throws a `SessionError` with
 * code `ERR_CONFIG_COOKIE` whose `option` names the field at fault
 * (`cookie.name`, `cookie.secure`, `cookie.sameSite`, `cookie.path`,
 * `cookie.domain`, `cookie.partitioned`, …) and whose message says what to change.
 *
 * Enforced, because user agents otherwise drop the cookie silently:
 * - name is a non-empty RFC 9110 token, does not end in `.<digits>`, and
 *   `name.<maxChunks-1>` leaves at least 256 of 4096 octets for a value;
 * - path starts with `/`, has no CTL, SP, `;` or `,`, and is at most 1024 octets;
 * - domain is a host name (optional leading `.`), at most 253 characters,
 *   of at least two labels (not `com`, not `localhost`) and not an IPv4 or IPv6 address;
 * - `__Secure-` needs `secure`; `__Host-` needs `secure`, path `/` and no domain;
 *   `__Http-` needs `secure` and `httpOnly`; `__Host-Http-` needs all four
 *   (prefixes matched case-insensitively, as user agents do);
 * - `sameSite: 'none'` and `partitioned` need `secure`;
 * - no other option name (a typo such as `httponly` is `ERR_CONFIG_OPTION`,
 *   naming the nearest valid one).
 *
 * @param input the user's options; `undefined` means all defaults.
 * @param maxChunks how many cookies a session may span (1 … 100, default 1);
 *   used to check that the longest chunk name still fits. Out of range throws
 *   `ERR_CONFIG_OPTION` with option `maxChunks`.
 * @returns a frozen object; `domain` is present only when set.
 *
 * @example
 * ```ts
 * const cookie = resolveCookieOptions({ name: '__Host-sid', sameSite: 'Strict' }, 4);
 * // { name: '__Host-sid', secure: true, httpOnly: true, sameSite: 'strict',
 * //   path: '/', partitioned: false }
 *
 * resolveCookieOptions({ sameSite: 'none', secure: false });
 * // throws SessionError { code: 'ERR_CONFIG_COOKIE', option: 'cookie.sameSite' }
 * ```
 */
export function resolveCookieOptions(input?: CookieOptions, maxChunks = 1): ResolvedCookieOptions {
  assertMaxChunks(maxChunks);
  if (input !== undefined && (input === null || typeof input !== 'object' || Array.isArray(input))) {
    throw configError(ERR, 'cookie', "must be an object such as { name: 'session' }; pass one or leave it out for the defaults");
  }
  if (input !== undefined) rejectUnknownOptions(input, COOKIE_OPTIONS, 'cookie.');
  const name = resolveName(input?.name, maxChunks);
  const secure = resolveBoolean(input?.secure, true, 'cookie.secure');
  const httpOnly = resolveBoolean(input?.httpOnly, true, 'cookie.httpOnly');
  const partitioned = resolveBoolean(input?.partitioned, false, 'cookie.partitioned');
  const sameSite = resolveSameSite(input?.sameSite);
  const path = resolvePath(input?.path);
  const domain = resolveDomain(input?.domain);

  // RFC 6265bis §4.1.3.1 and the storage model (§5.7): a `__Secure-` cookie without
  // Secure is ignored; §4.1.3.2: a `__Host-` cookie needs Secure, no Domain and Path=/.
  // Its successor draft, draft-ietf-httpbis-layered-cookies, adds §4.1.3.3: a `__Http-`
  // cookie needs Secure and HttpOnly; §4.1.3.4: a `__Host-Http-` cookie needs all the
  // `__Host-` rules and HttpOnly ("Store a Cookie", §5.4.3, drops any that breaks
  // them; Chrome enforces both). User agents match every prefix case-insensitively,
  // so do we.
  const host = hasPrefixCI(name, '__host-');
  const httpPrefix = hasPrefixCI(name, '__http-') ? '__Http-' : host && hasPrefixCI(name, '__host-http-') ? '__Host-Http-' : undefined;
  const prefix = httpPrefix ?? (host ? '__Host-' : hasPrefixCI(name, '__secure-') ? '__Secure-' : undefined);
  if (prefix !== undefined && !secure) {
    throw configError(ERR, 'cookie.secure', `a cookie named with the ${prefix} prefix needs secure: true (user agents drop it otherwise); set secure: true or rename the cookie`);
  }
  if (host) {
    const looser = httpPrefix === undefined ? '__Secure-' : '__Http-';
    if (domain !== undefined) {
      throw configError(ERR, 'cookie.domain', `a cookie named with the ${prefix} prefix must not have a Domain (user agents drop it otherwise); leave domain out or use the ${looser} prefix`);
    }
    if (path !== '/') {
      throw configError(ERR, 'cookie.path', `a cookie named with the ${prefix} prefix needs path: '/' (user agents drop it otherwise); set path: '/' or use the ${looser} prefix`);
    }
  }
  if (httpPrefix !== undefined && !httpOnly) {
    throw configError(
      ERR,
      'cookie.httpOnly',
      `a cookie named with the ${httpPrefix} prefix needs httpOnly: true (user agents drop it otherwise); set httpOnly: true (the default) or rename the cookie`,
    );
  }
  // RFC 6265bis storage model (§5.7): SameSite=None without Secure is ignored.
  if (sameSite === 'none' && !secure) {
    throw configError(ERR, 'cookie.sameSite', "SameSite=None needs secure: true (user agents drop it otherwise); set secure: true or use sameSite: 'lax'");
  }
  // CHIPS (draft-cutler-httpbis-partitioned-cookies): Partitioned without Secure is ignored.
  if (partitioned && !secure) {
    throw configError(ERR, 'cookie.partitioned', 'a Partitioned (CHIPS) cookie needs secure: true (user agents drop it otherwise); set secure: true or partitioned: false');
  }

  const resolved: ResolvedCookieOptions =
    domain === undefined
      ? { name, secure, httpOnly, sameSite, path, partitioned }
      : { name, secure, httpOnly, sameSite, path, domain, partitioned };
  return Object.freeze(resolved);
}
