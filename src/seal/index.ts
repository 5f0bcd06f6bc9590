/**
 * `sealData` / `unsealData`: a JSON value in, an iron token out, with the
 * purpose and the issue time sealed beside the data.
 *
 * The sealed plaintext is the envelope `{"i":<issuedAtMs>,"p":"<purpose>","d":<data>}`
 * (`p` only when a purpose is given). Because the purpose is inside the
 * authenticated payload, a token sealed for one purpose never opens as
 * another, even under the same keys.
 *
 * @module
 */
import { SessionError, configError, rejectUnknownOptions, type UnsealErrorCode } from '../errors';
import { after, type MaybePromise } from '../util/maybe-promise';
import { requireOptions } from '../util/options';
import { DEFAULT_SKEW_SECONDS, ironOpen, ironSeal, type IronOpened, type IronReadRefused, type PlaintextReader } from './iron';
import { toLosslessJson } from '../util/json';
import { KEY_RING_OPTIONS, resolveKeyRing, type KeyRing, type KeyRingOptions, type Keys } from './keys';

/**
 * Options of {@link sealData}.
 *
 * @example
 * ```ts
 * const options: SealOptions = { keys: process.env.SESSION_SECRET!, ttl: 24 * 3600, purpose: 'email-verify' };
 * const token = await sealData({ userId: 'u_1' }, options);
 * ```
 */
export interface SealOptions extends KeyRingOptions {
  /** The secret or key ring; the current (first / highest) key seals. */
  readonly keys: Keys;
  /** Seconds until the token expires (checked on unseal). `0` or absent: no expiry. */
  readonly ttl?: number;
  /**
   * What the token is for (`'magic-link'`, `'session:sid'`…); it only opens with the same purpose.
   * Purposes starting with `cookie:` (any case) are the session store's and are refused (`ERR_CONFIG_OPTION`).
   */
  readonly purpose?: string;
}

/**
 * Options of {@link unsealData}.
 *
 * @example
 * ```ts
 * const options: UnsealOptions = { keys: process.env.SESSION_SECRET!, purpose: 'email-verify', timestampSkewSec: 120 };
 * const { userId } = await unsealData<{ userId: string }>(token, options);
 * ```
 */
export interface UnsealOptions extends KeyRingOptions {
  /** The secret or key ring; any key in it may open the token. */
  readonly keys: Keys;
  /** Must equal the purpose the token was sealed with (absent matches absent). `cookie:…` is reserved, as in {@link SealOptions.purpose}. */
  readonly purpose?: string;
  /** Seconds a token is still accepted after its expiry, for clocks that disagree. Default 60, at most 600. */
  readonly timestampSkewSec?: number;
}

/** What {@link openSealed} returns for an authentic token of the right purpose. */
export interface SealOpened<T> {
  readonly ok: true;
  readonly data: T;
  /** When it was sealed, ms since the epoch. */
  readonly issuedAt: number;
  /** When it expires, ms since the epoch, if it does. */
  readonly expiresAt: number | undefined;
  /** The key id that opened it. */
  readonly keyId: string;
  /** True when a key other than the current one opened it: re-seal it to finish a rotation. */
  readonly stale: boolean;
}

/** What {@link openSealed} returns for anything else. */
export interface SealRefused {
  readonly ok: false;
  readonly code: UnsealErrorCode;
}

export type SealOpenResult<T> = SealOpened<T> | SealRefused;

/** Every option name {@link sealData} and {@link unsealData} take; any other is refused (a typo would be ignored otherwise). */
const SEAL_OPTIONS: readonly string[] = ['keys', 'ttl', 'purpose', ...KEY_RING_OPTIONS];
const UNSEAL_OPTIONS: readonly string[] = ['keys', 'purpose', 'timestampSkewSec', ...KEY_RING_OPTIONS];

const MAX_TTL_SECONDS = 2 ** 31;
const MAX_SKEW_SECONDS = 600;
const MAX_PURPOSE = 256;

const MESSAGES: Record<UnsealErrorCode, string> = {
  ERR_SEAL_MALFORMED: 'sealed-session: the token is not a well-formed iron token',
  ERR_SEAL_BAD_MAC: 'sealed-session: the token failed its integrity check (tampered, or sealed with another secret)',
  ERR_SEAL_EXPIRED: 'sealed-session: the token has expired',
  ERR_SEAL_UNKNOWN_KEY: 'sealed-session: the token was sealed with a key id that is not in the key ring',
  ERR_SEAL_PURPOSE: 'sealed-session: the token was sealed for another purpose',
  ERR_SEAL_NOT_JSON: 'sealed-session: the token does not contain JSON',
};

/** @internal */
export function checkPurpose(purpose: unknown): string | undefined {
  if (purpose === undefined) return undefined;
  if (typeof purpose !== 'string' || purpose.length === 0 || purpose.length > MAX_PURPOSE) {
    throw configError('ERR_CONFIG_OPTION', 'purpose', `must be a non-empty string of at most ${MAX_PURPOSE} characters`);
  }
  return purpose;
}

/**
 * Purposes the session store seals its cookies with (`cookie:<cookie name>`),
 * matched without regard to case. {@link sealData} and {@link unsealData}
 * refuse them, so that no token made for a link or an API can ever be a
 * valid session cookie, and no session cookie opens outside the store.
 */
const STORE_PURPOSE_PREFIX = 'cookie:';

/** @internal {@link checkPurpose}, and refuse the store's reserved purposes: the check of the public `sealData` / `unsealData`. */
export function checkUserPurpose(purpose: unknown): string | undefined {
  const checked = checkPurpose(purpose);
  if (checked !== undefined && checked.slice(0, STORE_PURPOSE_PREFIX.length).toLowerCase() === STORE_PURPOSE_PREFIX) {
    throw configError(
      'ERR_CONFIG_OPTION',
      'purpose',
      `purposes starting with '${STORE_PURPOSE_PREFIX}' are reserved for the session store's cookies (a token sealed with one would be a valid session); name your purpose after what the token is for, such as 'magic-link'`,
    );
  }
  return checked;
}

/** @internal Validate a skew option (seconds) and return milliseconds. */
export function checkSkew(seconds: unknown): number {
  if (seconds === undefined) return DEFAULT_SKEW_SECONDS * 1000;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_SKEW_SECONDS) {
    throw configError('ERR_CONFIG_OPTION', 'timestampSkewSec', `must be a number of seconds from 0 to ${MAX_SKEW_SECONDS}`);
  }
  return seconds * 1000;
}

function checkTtl(ttl: unknown): number {
  if (ttl === undefined) return 0;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS) {
    throw configError('ERR_CONFIG_OPTION', 'ttl', `must be a number of seconds from 0 (no expiry) to ${MAX_TTL_SECONDS}`);
  }
  return ttl;
}

/**
 * Seal a value for a purpose with a ring. The lower-level entry the session
 * layer uses; {@link sealData} validates options and calls it. Synchronous
 * (a string, not a promise) on the node:crypto engine once keys are derived;
 * throws `ERR_SEAL_NOT_SERIALIZABLE` synchronously.
 *
 * @param expiresAt ms since the epoch, or `undefined` for no expiry.
 * @param depth the depth of `data` for the JSON walk's limit: -1 for a session payload, which wraps the state by one level.
 * @param pack what to seal in place of the envelope's text (compression); without it, the text.
 * @internal
 */
export function sealWithRing(
  ring: KeyRing,
  data: unknown,
  purpose: string | undefined,
  now: number,
  expiresAt: number | undefined,
  depth = 0,
  pack?: PlaintextPacker,
): MaybePromise<string> {
  const json = toLosslessJson(data, depth);
  if (json === undefined) {
    throw new SessionError(
      'ERR_SEAL_NOT_SERIALIZABLE',
      'sealed-session: the value is not lossless JSON (functions, bigint, undefined, NaN/Infinity, class instances such as Date or Map, symbol-keyed or non-enumerable properties, and cycles are refused)',
    );
  }
  const envelope = purpose === undefined ? `{"i":${now},"d":${json}}` : `{"i":${now},"p":${JSON.stringify(purpose)},"d":${json}}`;
  const expiration = expiresAt === undefined ? undefined : Math.ceil(expiresAt);
  if (pack === undefined) return ironSeal(ring, envelope, expiration);
  return after(pack.pack(envelope), (plaintext) => ironSeal(ring, envelope, expiration, plaintext, pack.cacheLimit));
}

/**
 * Turns the envelope's JSON text into the plaintext to seal: the session
 * store's compression (`util/compress.ts`), given by the caller so that
 * bundles that only seal hold no compression code. Not part of the public API.
 */
export interface PlaintextPacker {
  /** The text itself, or the bytes to seal instead (a marked, compressed form). May throw (`ERR_SESSION_TOO_LARGE`). */
  pack(json: string): MaybePromise<string | Uint8Array>;
  /** Longest text the token cache may keep for a token sealed with this packer (see `PlaintextReader.cacheLimit`). */
  readonly cacheLimit: number;
}

/**
 * Open a token without throwing: the result says why a token was refused.
 * This is what the session layer uses; {@link unsealData} wraps it.
 *
 * @internal
 */
export function openSealed<T = unknown>(ring: KeyRing, token: string, purpose: string | undefined, now: number, skewMs: number): MaybePromise<SealOpenResult<T>>;
export function openSealed<T = unknown>(
  ring: KeyRing,
  token: string,
  purpose: string | undefined,
  now: number,
  skewMs: number,
  reader: PlaintextReader | undefined,
): MaybePromise<SealOpenResult<T> | IronReadRefused>;
export function openSealed<T = unknown>(
  ring: KeyRing,
  token: string,
  purpose: string | undefined,
  now: number,
  skewMs: number,
  reader?: PlaintextReader,
): MaybePromise<SealOpenResult<T> | IronReadRefused> {
  return after(ironOpen(ring, token, now, skewMs, reader), (opened) => (opened.ok ? readEnvelope<T>(ring, opened, purpose) : opened));
}

function readEnvelope<T>(ring: KeyRing, opened: IronOpened, purpose: string | undefined): SealOpenResult<T> {
  let envelope: unknown;
  try {
    envelope = JSON.parse(opened.plaintext);
  } catch {
    return { ok: false, code: 'ERR_SEAL_NOT_JSON' };
  }
  if (
    envelope === null ||
    typeof envelope !== 'object' ||
    Array.isArray(envelope) ||
    !Object.hasOwn(envelope, 'd') ||
    typeof (envelope as { i?: unknown }).i !== 'number' ||
    (envelope as { p?: unknown }).p !== purpose
  ) {
    // Authentic, but sealed for another purpose (or by another iron user with the same secret).
    return { ok: false, code: 'ERR_SEAL_PURPOSE' };
  }
  const { i, d } = envelope as { i: number; d: T };
  return { ok: true, data: d, issuedAt: i, expiresAt: opened.expiration, keyId: opened.key.id, stale: opened.key !== ring.current };
}

/**
 * Seal a JSON value into an iron token (`Fe26.2*…`): encrypted with
 * AES-256-CBC, authenticated with HMAC-SHA-256, under the current key of
 * `keys`. The token carries its expiry and purpose, and only
 * {@link unsealData} with the same purpose and a key ring that still holds
 * the key opens it.
 *
 * Rejects with `ERR_SEAL_NOT_SERIALIZABLE` for values JSON would change, and
 * `ERR_CONFIG_*` for bad options.
 *
 * @example
 * ```ts
 * import { sealData, unsealData } from 'sealed-session';
 *
 * const keys = process.env.SESSION_SECRET!; // ≥ 32 characters
 * const token = await sealData({ email: 'ada@example.com' }, { keys, ttl: 15 * 60, purpose: 'magic-link' });
 * const { email } = await unsealData<{ email: string }>(token, { keys, purpose: 'magic-link' });
 * ```
 */
export async function sealData(data: unknown, options: SealOptions): Promise<string> {
  requireOptions(options);
  rejectUnknownOptions(options, SEAL_OPTIONS);
  const ring = resolveKeyRing(options.keys, options);
  const ttl = checkTtl(options.ttl);
  const purpose = checkUserPurpose(options.purpose);
  const now = Date.now();
  return sealWithRing(ring, data, purpose, now, ttl > 0 ? now + ttl * 1000 : undefined);
}

/**
 * Open a token made by {@link sealData}. Rejects with a {@link SessionError}
 * whose `code` says why: `ERR_SEAL_MALFORMED`, `ERR_SEAL_BAD_MAC`,
 * `ERR_SEAL_EXPIRED`, `ERR_SEAL_UNKNOWN_KEY`, `ERR_SEAL_PURPOSE` or
 * `ERR_SEAL_NOT_JSON`, and `ERR_CONFIG_*` for bad options. Nothing else
 * escapes, whatever the input.
 *
 * The data is returned as sealed; it is not validated against any type, so
 * treat `T` as a claim about your own tokens (the session store validates
 * with a schema).
 *
 * @example
 * ```ts
 * try {
 *   const { userId } = await unsealData<{ userId: number }>(token, { keys, purpose: 'invite' });
 * } catch (err) {
 *   if (isSessionError(err, 'ERR_SEAL_EXPIRED')) return new Response('Link expired', { status: 410 });
 *   throw err;
 * }
 * ```
 */
export async function unsealData<T = unknown>(sealed: string, options: UnsealOptions): Promise<T> {
  requireOptions(options);
  rejectUnknownOptions(options, UNSEAL_OPTIONS);
  const ring = resolveKeyRing(options.keys, options);
  const purpose = checkUserPurpose(options.purpose);
  const skewMs = checkSkew(options.timestampSkewSec);
  const result = await openSealed<T>(ring, sealed, purpose, Date.now(), skewMs);
  if (!result.ok) throw new SessionError(result.code, MESSAGES[result.code]);
  return result.data;
}
