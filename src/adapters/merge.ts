/**
 * Merging our Set-Cookie values into those a response already has: theirs
 * stay, ours replace any earlier value of the same cookie name, so a response
 * never carries two Set-Cookie fields for one name (RFC 6265bis §4.1.1 MUST NOT).
 *
 * @module
 * @internal
 */
import type { CookieWrite } from '../session/writer';

/** The cookie name of a Set-Cookie value (text before the first '=', trimmed). */
export function setCookieName(header: string): string {
  const eq = header.indexOf('=');
  return (eq === -1 ? header : header.slice(0, eq)).trim();
}

/** `existing` without the values our cookies replace, then ours. */
export function mergeSetCookies(existing: readonly string[], ours: readonly CookieWrite[]): string[] {
  const names = new Set(ours.map((c) => c.name));
  const kept = existing.filter((header) => !names.has(setCookieName(header)));
  for (const cookie of ours) kept.push(cookie.header);
  return kept;
}

/** Cookies written by two commits: `earlier` without the names `later` writes again, then `later`. */
export function mergeWrites(earlier: readonly CookieWrite[], later: readonly CookieWrite[]): CookieWrite[] {
  const kept = earlier.filter((cookie) => !later.some((c) => c.name === cookie.name));
  for (const cookie of later) kept.push(cookie);
  return kept;
}
