/**
 * What a session cookie seals, beside the sealing envelope's own issue time:
 *
 * ```
 * { "id": "<22 chars>", "c": <createdAt, s>, "v": <state>, "l"?: <own lifetime, s>, "p"?: 1, "t"?: <own idle timeout, s>, "f"?: { flash } }
 * ```
 * The envelope's issue time (`i`, ms) is when the cookie was last issued: the
 * idle timeout is measured from it.
 *
 * @module
 * @internal
 */
import { randomBytes } from '../seal/engine';
import { toBase64Url } from '../util/encoding';
import { jsonObjectIssue, type Json } from './schema';

/**
 * A session cookie's payload, by name: what the rest of the library works
 * with. Only {@link readPayload} and {@link writePayload} know the sealed
 * one-letter fields.
 */
export interface SessionPayload {
  /** Random session id (128 bits, base64url). */
  readonly id: string;
  /** Creation time, ms since the epoch: a whole second (sealed as seconds, `c`). */
  readonly createdAt: number;
  /** The state (`v`). */
  readonly state: unknown;
  /** This session's own absolute lifetime in seconds (`setTtl`), overriding the store's `ttl` (`l`). */
  readonly lifetime?: number | undefined;
  /** True when this session's cookie is persistent whatever the store's lifecycle (`setTtl` with persistent; `p: 1`). */
  readonly persistent?: boolean | undefined;
  /** This session's own idle timeout in seconds (`setTtl` with `idleTimeout`), `false` for none (`t`, 0 for none); `undefined` for the store's. */
  readonly idleTimeout?: number | false | undefined;
  /** Flash values, read once (`f`). */
  readonly flash?: Record<string, Json> | undefined;
}

/** The sealed form, one letter a field. */
interface SealedPayload {
  id: string;
  c: number;
  v: unknown;
  l?: number;
  p?: 1;
  t?: number;
  f?: Record<string, Json>;
}

/** A new random session id: 128 bits from the platform CSPRNG, base64url. */
export function newSessionId(): string {
  return toBase64Url(randomBytes(16));
}

const ID = /^[A-Za-z0-9_-]{22}$/;

const isSeconds = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 1e11;

/** Check the shape of an authentic payload and name its fields; `undefined` when it is not one of ours. */
export function readPayload(data: unknown): SessionPayload | undefined {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const p = data as Partial<Record<keyof SealedPayload, unknown>>;
  if (typeof p.id !== 'string' || !ID.test(p.id) || !isSeconds(p.c) || !Object.hasOwn(data, 'v')) return undefined;
  if (p.l !== undefined && !isSeconds(p.l)) return undefined;
  if (p.p !== undefined && p.p !== 1) return undefined;
  if (p.t !== undefined && !(p.t === 0 || isSeconds(p.t))) return undefined;
  // Flash values get the state's JSON-object check (no `__proto__`, `constructor` or `prototype` keys, at most 64
  // levels deep), on read as on write: a cookie sealed by any holder of the key is checked the same way.
  if (p.f !== undefined && jsonObjectIssue(p.f) !== undefined) return undefined;
  return {
    id: p.id,
    createdAt: p.c * 1000,
    state: p.v,
    lifetime: p.l,
    persistent: p.p === 1,
    idleTimeout: p.t === undefined ? undefined : p.t === 0 ? false : p.t,
    flash: p.f as Record<string, Json> | undefined,
  };
}

/**
 * The object sealed for `payload`: `{ id, c, v, l?, p?, t?, f? }`, fields in
 * that order, absent ones left out.
 */
export function writePayload(payload: SessionPayload): object {
  // Plain assignments rather than conditional spreads: this runs on every write.
  const out: SealedPayload = { id: payload.id, c: Math.floor(payload.createdAt / 1000), v: payload.state };
  if (payload.lifetime !== undefined) out.l = payload.lifetime;
  if (payload.persistent) out.p = 1;
  if (payload.idleTimeout !== undefined) out.t = payload.idleTimeout === false ? 0 : payload.idleTimeout;
  if (payload.flash) out.f = payload.flash;
  return out;
}
