/**
 * Reading sessions written by iron-session 8/9, so an application can switch
 * libraries without signing anyone out: the old cookie is opened with the old
 * password(s), validated against the schema, and re-issued in this library's
 * format on the same response, which also deletes the old cookie.
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
import type { UnsealErrorCode } from '../errors';
import { after, type MaybePromise } from '../util/maybe-promise';
import { ironOpen } from '../seal/iron';
import type { KeyRing } from '../seal/keys';

/** iron-session 9 never writes more chunks than this. */
const IRON_SESSION_MAX_CHUNKS = 4;

export interface LegacyCookie {
  /** The seal, joined from its chunks. */
  readonly token: string;
  /** The cookie names it came in, to delete once migrated. */
  readonly names: readonly string[];
}

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

export type LegacyOpenResult =
  | {
      readonly ok: true;
      readonly data: unknown;
      /** The expiry iron-session sealed (ms since the epoch), under the MAC; `undefined` for a seal without one. */
      readonly expiration: number | undefined;
    }
  | { readonly ok: false; readonly code: UnsealErrorCode };

/** Open an iron-session seal (its `~<version>` suffix stripped) with the old password ring. */
export function openIronSession(ring: KeyRing, token: string, now: number, skewMs: number): MaybePromise<LegacyOpenResult> {
  const tilde = token.indexOf('~');
  return after(ironOpen(ring, tilde === -1 ? token : token.slice(0, tilde), now, skewMs), (opened): LegacyOpenResult => {
    if (!opened.ok) return opened;
    try {
      return { ok: true, data: JSON.parse(opened.plaintext) as unknown, expiration: opened.expiration };
    } catch {
      return { ok: false, code: 'ERR_SEAL_NOT_JSON' };
    }
  });
}
