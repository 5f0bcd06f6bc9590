/**
 * Merging our Set-Cookie values into those a response already has, by one
 * rule for every adapter, so a response never carries two Set-Cookie fields
 * for one of the session's cookie names (RFC 6265bis §4.1.1 MUST NOT) and
 * nothing is dropped without a word:
 *
 * - a value our session wrote earlier is replaced by its latest one;
 * - a value of the application's own for one of our names (Express'
 *   `res.clearCookie('session')`, a `reply.header('set-cookie', …)`) wins,
 *   whenever it was set: our value of that name is dropped, and the drop is
 *   reported (`cookie-conflict`). Of several values the application gave
 *   one of our names, the last (the one a browser would keep) stays;
 * - every other value stays, in order.
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

/** What {@link resolveSetCookies} decided. */
export interface Resolved {
  /** The response's Set-Cookie values, in order: theirs, then ours. */
  readonly values: string[];
  /** Our cookie names the application gave a value of its own: ours was not sent. */
  readonly conflicts: readonly string[];
  /** Whether any of our cookies is among `values`. */
  readonly sent: boolean;
  /** Whether `values` differs from what the response had. */
  readonly changed: boolean;
}

/**
 * The one rule (see the module comment). `existing`: the response's values
 * now; `ours`: the session's latest cookie of each name it writes; `mine`:
 * every value this session wrote on this response, so that an older one
 * still there is known as ours.
 */
export function resolveSetCookies(existing: readonly string[], ours: readonly CookieWrite[], mine: ReadonlySet<string>): Resolved {
  const names = new Set<string>();
  for (const cookie of ours) names.add(cookie.name);
  // The application's last value of each of our names.
  let theirs: Map<string, number> | undefined;
  for (let i = 0; i < existing.length; i++) {
    const value = existing[i]!;
    if (mine.has(value)) continue;
    const name = setCookieName(value);
    if (names.has(name)) (theirs ??= new Map()).set(name, i);
  }
  const values: string[] = [];
  for (let i = 0; i < existing.length; i++) {
    const value = existing[i]!;
    if (!names.has(setCookieName(value)) || (!mine.has(value) && theirs?.get(setCookieName(value)) === i)) values.push(value);
  }
  const conflicts: string[] = [];
  let sent = false;
  for (const cookie of ours) {
    if (theirs?.has(cookie.name)) {
      conflicts.push(cookie.name);
      continue;
    }
    values.push(cookie.header);
    sent = true;
  }
  const changed = values.length !== existing.length || values.some((value, i) => value !== existing[i]);
  return { values, conflicts, sent, changed };
}

/** Cookies written by two commits: `earlier` without the names `later` writes again, then `later`. */
export function mergeWrites(earlier: readonly CookieWrite[], later: readonly CookieWrite[]): CookieWrite[] {
  const kept = earlier.filter((cookie) => !later.some((c) => c.name === cookie.name));
  for (const cookie of later) kept.push(cookie);
  return kept;
}
