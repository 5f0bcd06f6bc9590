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

export interface SessionPayload {
  /** Random session id (128 bits, base64url). */
  readonly id: string;
  /** Creation time, whole seconds since the epoch. */
  readonly c: number;
  /** The state. */
  readonly v: unknown;
  /** This session's own absolute lifetime in seconds (`setTtl`), overriding the store's `ttl`. */
  readonly l?: number;
  /** 1 when this session's cookie is persistent whatever the store's lifecycle (`setTtl` with persistent). */
  readonly p?: 1;
  /** This session's own idle timeout in seconds (`setTtl` with `idleTimeout`); 0 for none. */
  readonly t?: number;
  /** Flash values, read once. */
  readonly f?: Record<string, Json>;
}

/** A new random session id: 128 bits from the platform CSPRNG, base64url. */
export function newSessionId(): string {
  return toBase64Url(randomBytes(16));
}

const ID = /^[A-Za-z0-9_-]{22}$/;

const isSeconds = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 1e11;

/** Check the shape of an authentic payload; `undefined` when it is not one of ours. */
export function readPayload(data: unknown): SessionPayload | undefined {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const p = data as Partial<Record<keyof SessionPayload, unknown>>;
  if (typeof p.id !== 'string' || !ID.test(p.id) || !isSeconds(p.c) || !Object.hasOwn(data, 'v')) return undefined;
  if (p.l !== undefined && !isSeconds(p.l)) return undefined;
  if (p.p !== undefined && p.p !== 1) return undefined;
  if (p.t !== undefined && !(p.t === 0 || isSeconds(p.t))) return undefined;
  // Flash values get the state's JSON-object check (no `__proto__`, `constructor` or `prototype` keys, at most 64
  // levels deep), on read as on write: a cookie sealed by any holder of the key is checked the same way.
  if (p.f !== undefined && jsonObjectIssue(p.f) !== undefined) return undefined;
  return data as SessionPayload;
}
