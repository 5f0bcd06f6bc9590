/**
 * Request `Cookie` header scanning. One linear pass, no regular expressions,
 * no intermediate arrays: the header is never split, and a value is sliced out
 * only for a pair the caller wants.
 *
 * Grammar accepted (RFC 6265bis §4.2.1 `cookie-string = cookie-pair *( ";" SP cookie-pair )`,
 * read leniently as user agents and proxies actually send it):
 * - pairs are separated by `;`, with any SP / HTAB around names and values;
 * - a pair without `=` (or with an empty name) is skipped;
 * - a value wrapped in DQUOTEs (RFC 6265bis §4.1.1 `cookie-value = DQUOTE *cookie-octet DQUOTE`)
 *   is unwrapped; otherwise values are returned as-is (no percent-decoding),
 *   even when they hold characters outside cookie-octet: the caller validates;
 * - names compare exactly (case-sensitive); the first occurrence wins, since
 *   user agents send cookies with longer (more specific) paths first.
 *
 * @module
 */

import { configError } from '../errors';
import { assertMaxChunks } from './chunks';

const SP = 0x20;
const HTAB = 0x09;
const DQUOTE = 0x22;
const DOT = 0x2e;
const DIGIT_0 = 0x30;

/**
 * Called once per pair with its trimmed name `[nameStart, nameEnd)` and value
 * `[valueStart, valueEnd)`; return `true` to stop scanning.
 */
type PairVisitor = (nameStart: number, nameEnd: number, valueStart: number, valueEnd: number) => boolean;

/**
 * The single scanning loop behind {@link findCookieGroup} and
 * {@link parseCookieHeader}. Linear in `header.length`: the `;` search always
 * starts after the previous `;`, the `=` search result is reused until the scan
 * passes it (so a header with many `=`-less pairs is not rescanned), and each
 * whitespace character is stepped over at most twice.
 */
function scanPairs(header: string, visit: PairVisitor): void {
  const length = header.length;
  let eq = -1; // position of the next '=' at or after `start`, or `length` if none
  let start = 0;
  while (start < length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = length;
    if (eq < start) {
      eq = header.indexOf('=', start);
      if (eq === -1) eq = length;
    }
    if (eq < end) {
      let nameStart = start;
      while (nameStart < eq && isWhitespace(header.charCodeAt(nameStart))) nameStart++;
      let nameEnd = eq;
      while (nameEnd > nameStart && isWhitespace(header.charCodeAt(nameEnd - 1))) nameEnd--;
      if (nameEnd > nameStart) {
        let valueStart = eq + 1;
        while (valueStart < end && isWhitespace(header.charCodeAt(valueStart))) valueStart++;
        let valueEnd = end;
        while (valueEnd > valueStart && isWhitespace(header.charCodeAt(valueEnd - 1))) valueEnd--;
        if (visit(nameStart, nameEnd, valueStart, valueEnd)) return;
      }
    }
    start = end + 1;
  }
}

function isWhitespace(c: number): boolean {
  return c === SP || c === HTAB;
}

/** The value at `[start, end)`, with one pair of surrounding DQUOTEs removed. */
function readValue(header: string, start: number, end: number): string {
  if (end - start >= 2 && header.charCodeAt(start) === DQUOTE && header.charCodeAt(end - 1) === DQUOTE) {
    return header.slice(start + 1, end - 1);
  }
  return header.slice(start, end);
}

/**
 * Values of `name` (index 0) and its chunk cookies `name.1` … `name.{maxChunks-1}`
 * (index k) in a request `Cookie` header, without collecting any other cookie.
 *
 * A chunk suffix is `.` then one or two decimal digits without a leading zero,
 * below `maxChunks`; anything else (`name.01`, `name.0`, `name.x`, `name.7`
 * when `maxChunks` is 4) is not part of the group. The first occurrence of each
 * name wins. Values may be empty and are not validated. Never throws on any
 * header (a non-string header gives an empty map) and runs in time linear in
 * its length; stops early once all `maxChunks` cookies are found.
 *
 * Throws `ERR_CONFIG_COOKIE` for an empty `name` and `ERR_CONFIG_OPTION` for a
 * `maxChunks` outside 1 … 100 (programming errors, not request errors).
 *
 * @example
 * ```ts
 * findCookieGroup('theme=dark; session=abc; session.1=def', 'session', 4);
 * // Map { 0 => 'abc', 1 => 'def' }
 * findCookieGroup(request.headers.get('cookie'), 'session', 1);
 * // Map {} when there is no cookie header
 * ```
 */
export function findCookieGroup(header: string | null | undefined, name: string, maxChunks: number): Map<number, string> {
  if (typeof name !== 'string' || name.length === 0) {
    throw configError('ERR_CONFIG_COOKIE', 'cookie.name', 'must be a non-empty string; pass the name from resolveCookieOptions');
  }
  assertMaxChunks(maxChunks);
  const found = new Map<number, string>();
  if (typeof header !== 'string' || header.length === 0) return found;
  const n = name.length;
  scanPairs(header, (nameStart, nameEnd, valueStart, valueEnd) => {
    const extra = nameEnd - nameStart - n; // 0: the base cookie; 2 or 3: '.' + 1-2 digits
    if (extra !== 0 && extra !== 2 && extra !== 3) return false;
    if (!header.startsWith(name, nameStart)) return false;
    let index = 0;
    if (extra !== 0) {
      const at = nameStart + n;
      if (header.charCodeAt(at) !== DOT) return false;
      const d1 = header.charCodeAt(at + 1) - DIGIT_0;
      if (d1 < 1 || d1 > 9) return false; // a digit, and no leading zero
      index = d1;
      if (extra === 3) {
        const d2 = header.charCodeAt(at + 2) - DIGIT_0;
        if (d2 < 0 || d2 > 9) return false;
        index = d1 * 10 + d2;
      }
      if (index >= maxChunks) return false;
    }
    if (found.has(index)) return false;
    found.set(index, readValue(header, valueStart, valueEnd));
    return found.size === maxChunks;
  });
  return found;
}

/**
 * Every cookie in a request `Cookie` header, first occurrence of each name
 * winning. Meant for debugging and demos; request handling should use
 * {@link findCookieGroup}, which does not collect unrelated cookies.
 * Same scanning rules (and the same loop) as {@link findCookieGroup}.
 *
 * @example
 * ```ts
 * parseCookieHeader('a=1; b="2"; a=3; flag');
 * // Map { 'a' => '1', 'b' => '2' }
 * ```
 */
export function parseCookieHeader(header: string | null | undefined): Map<string, string> {
  const all = new Map<string, string>();
  if (typeof header !== 'string') return all;
  scanPairs(header, (nameStart, nameEnd, valueStart, valueEnd) => {
    const key = header.slice(nameStart, nameEnd);
    if (!all.has(key)) all.set(key, readValue(header, valueStart, valueEnd));
    return false;
  });
  return all;
}
