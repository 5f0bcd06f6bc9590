/**
 * Reading sessions written by iron-session 8/9, so an application can switch
 * libraries without signing anyone out: the old cookie is opened with the old
 * password(s); the store validates it against the schema and re-issues it in
 * its own format on the same response, which also deletes the old cookie.
 *
 * iron-session seals the session object itself (no envelope) with
 * `{ id, secret }` from its password map and appends `~2` (a version marker
 * outside the MAC, which is ignored). Version 9 may spread it over
 * `name.0` … `name.3`.
 *
 * @module
 * @internal
 */
import { parseCookieHeader } from '../cookie/parse';
import { ironOpen } from '../seal/iron';
import type { KeyRing } from '../seal/keys';
import type { LegacyCookie, LegacyOpenResult, LegacyReader } from '../session/legacy';
import { after, type MaybePromise } from '../util/maybe-promise';

/** iron-session 9 never writes more chunks than this. */
const IRON_SESSION_MAX_CHUNKS = 4;

/** Find an iron-session cookie: the whole seal in `name`, or `name.0`, `name.1`, … */
export function findIronSessionCookie(header: string | undefined, name: string): LegacyCookie | undefined {
  if (!header) return undefined;
  const all = parseCookieHeader(header);
  const whole = all.get(name);
  if (whole) return { token: whole, names: [name] };
  let token = '';
  const names: string[] = [];
  for (let i = 0; i < IRON_SESSION_MAX_CHUNKS; i++) {
    const part = all.get(`${name}.${i}`);
    if (!part) break;
    token += part;
    names.push(`${name}.${i}`);
  }
  return token ? { token, names } : undefined;
}

/**
 * Open an iron-session seal (its `~<version>` suffix stripped) with the old
 * password ring. iron-session seals `expiry = save time + its ttl`: with that
 * ttl (seconds), the save time is known; without it, nothing dates the cookie.
 */
export function openIronSession(ring: KeyRing, ttl: number | undefined, token: string, now: number, skewMs: number): MaybePromise<LegacyOpenResult> {
  const tilde = token.indexOf('~');
  return after(ironOpen(ring, tilde === -1 ? token : token.slice(0, tilde), now, skewMs), (opened): LegacyOpenResult => {
    if (!opened.ok) return opened;
    let data: unknown;
    try {
      data = JSON.parse(opened.plaintext) as unknown;
    } catch {
      return { ok: false, code: 'ERR_SEAL_NOT_JSON' };
    }
    // iron-session seals the session object itself: anything else (a string, an array, null) is not one of its cookies.
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return { ok: false, code: 'ERR_SEAL_MALFORMED' };
    // One of this library's own tokens (a sealData token of any purpose, a session cookie of any store), opened because
    // the old password is also one of our keys: its envelope must never pass for an iron-session session.
    if (isOurEnvelope(data)) return { ok: false, code: 'ERR_SEAL_PURPOSE' };
    const savedAt = ttl === undefined || opened.expiration === undefined ? undefined : opened.expiration - ttl * 1000;
    return { ok: true, data, savedAt };
  });
}

/**
 * Whether an opened object is the envelope `sealData` and the session store
 * seal (`{ i, p?, d }`): what `openSealed` would read as one, an own `d` and
 * a numeric `i`, whatever else it holds.
 */
function isOurEnvelope(data: object): boolean {
  return Object.hasOwn(data, 'd') && typeof (data as { i?: unknown }).i === 'number';
}

/** The reader for one iron-session configuration; `ring` gives the old password's ring (resolved at first use when given as a function). */
export function ironSessionReader(ring: () => KeyRing, cookieName: string, ttl: number | undefined): LegacyReader {
  return {
    cookieName,
    find: (header) => findIronSessionCookie(header, cookieName),
    // iron-session's seal ends in "~2"; ours never contains "~".
    owns: (value) => value.includes('~'),
    open: (token, now, skewMs) => openIronSession(ring(), ttl, token, now, skewMs),
  };
}
