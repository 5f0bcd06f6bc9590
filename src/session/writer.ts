/**
 * Turning a session into Set-Cookie values: seal, split into chunks under the
 * budget, and remove the chunks the browser holds but no longer needs.
 *
 * @module
 * @internal
 */
import { SessionError } from '../errors';
import { chunkCookieName } from '../cookie/chunks';
import { capacityBytes, planChunks } from '../cookie/framing';
import { clampMaxAge } from '../cookie/max-age';
import { formatCookie, serializeRemoval } from '../cookie/serialize';
import { after, type MaybePromise } from '../util/maybe-promise';
import type { ResolvedStoreOptions } from './options';
import { sealPayload } from './codec';
import { writePayload, type SessionPayload } from './payload';

export interface WriteRequest {
  readonly mode: 'write' | 'remove';
  /** ms since the epoch. */
  readonly now: number;
  readonly payload: SessionPayload | undefined;
  /** ms since the epoch. */
  readonly createdAt: number;
  /** Absolute lifetime in seconds. */
  readonly lifetime: number;
  readonly persistent: boolean;
  /** Idle timeout in force for this session, seconds; `undefined` for none. */
  readonly idleTimeout: number | undefined;
  readonly chunksPresent: readonly number[];
  /** Other cookies to delete (a migrated iron-session cookie), unless this commit writes that name. */
  readonly alsoRemove: readonly string[];
}

/** The budget a store allows, in request octets: `maxBytes`, and what `maxChunks` cookies can hold. */
export function allowedBytes(o: ResolvedStoreOptions): number {
  return Math.min(o.maxBytes, capacityBytes(o.maxChunks));
}

/** One cookie a commit sets or removes, structured for adapters (Next.js' cookie store) and serialized for headers. */
export interface CookieWrite {
  readonly name: string;
  /** Empty for a removal. */
  readonly value: string;
  /** Seconds; `undefined` for a browser-session cookie, `0` for a removal. */
  readonly maxAge: number | undefined;
  /** The whole Set-Cookie header value. */
  readonly header: string;
}

/** The cookies of a commit, and how many chunk cookies it leaves in the browser. */
export interface WriteResult {
  readonly cookies: CookieWrite[];
  readonly chunks: number;
}

function removal(name: string, o: ResolvedStoreOptions): CookieWrite {
  return { name, value: '', maxAge: 0, header: serializeRemoval(name, o.cookie) };
}

/** `cookies` plus removals of `names` that `cookies` does not already set. */
function withRemovals(cookies: CookieWrite[], names: readonly string[], o: ResolvedStoreOptions): CookieWrite[] {
  for (const name of names) if (!cookies.some((c) => c.name === name)) cookies.push(removal(name, o));
  return cookies;
}

/** Produce the Set-Cookie values for a commit. Throws `ERR_SESSION_TOO_LARGE` before producing any. */
export function writeCookies(o: ResolvedStoreOptions, req: WriteRequest): MaybePromise<WriteResult> {
  const name = o.cookie.name;
  if (req.mode === 'remove') {
    const out = [removal(name, o)];
    for (const index of req.chunksPresent) out.push(removal(chunkCookieName(name, index), o));
    return { cookies: withRemovals(out, req.alsoRemove, o), chunks: 0 };
  }
  const absoluteEnd = req.createdAt + req.lifetime * 1000;
  const idleEnd = req.idleTimeout === undefined ? Number.POSITIVE_INFINITY : req.now + req.idleTimeout * 1000;
  const expiresAt = Math.min(absoluteEnd, idleEnd);
  return after(sealPayload(o.codec, o.ring, req.payload && writePayload(req.payload), o.purpose, req.now, expiresAt), (token) => planCookies(o, req, token, expiresAt));
}

function planCookies(o: ResolvedStoreOptions, req: WriteRequest, token: string, expiresAt: number): WriteResult {
  const name = o.cookie.name;
  const plan = planChunks(name, token);
  const allowed = allowedBytes(o);
  if (plan.values.length > o.maxChunks || plan.requestBytes > allowed) {
    throw new SessionError(
      'ERR_SESSION_TOO_LARGE',
      `sealed-session: the sealed session needs ${plan.requestBytes} octets of cookies (${plan.values.length} cookie(s)), over the budget of ${allowed} octets in at most ${o.maxChunks} cookie(s); store less in the session, or raise maxBytes/maxChunks`,
      { size: { measured: plan.requestBytes, allowed } },
    );
  }
  // Max-Age ends with the server-side expiry, in whole seconds rounded up (so a cookie just written is
  // never a removal, iron-session's bug with short ttls): the browser may keep it for under a second
  // after the server stops accepting it, which refuses it then as expired. Capped at 400 days.
  const maxAge = req.persistent ? clampMaxAge((expiresAt - req.now) / 1000) : undefined;
  const out = plan.values.map((value, i): CookieWrite => {
    const cookieName = chunkCookieName(name, i);
    return { name: cookieName, value, maxAge, header: formatCookie(cookieName, value, o.cookie, maxAge) };
  });
  for (const index of req.chunksPresent) {
    if (index >= plan.values.length) out.push(removal(chunkCookieName(name, index), o));
  }
  return { cookies: withRemovals(out, req.alsoRemove, o), chunks: plan.values.length };
}
