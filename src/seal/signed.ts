/**
 * Signed-only tokens: integrity without confidentiality, for state the
 * client may read (UI preferences, A/B buckets), as actix-session's
 * `CookieContentSecurity::Signed` and the signed cookies of Rails and Django.
 * **The content is readable by anyone who holds the cookie** (it is base64url
 * of JSON, or of DEFLATE when compressed); only changing it is prevented.
 *
 * ## Grammar
 * ```
 * token      = "Sig1" "*" key-id "*" expiration "*" payload "*" mac
 * key-id     = 1*( ALPHA / DIGIT / "_" )            ; the ring's id, /^\w+$/
 * expiration = "" / %x31-39 *15DIGIT                ; ms since the epoch, no leading zero
 * payload    = 1*b64url                             ; canonical base64url, no padding, of the plaintext
 * mac        = 43b64url                             ; canonical base64url of 32 bytes
 * b64url     = ALPHA / DIGIT / "-" / "_"
 * ```
 * Every character is a cookie-octet (RFC 6265bis §4.1.1), so the token is a
 * cookie value as is. Exactly five components; anything else is
 * `ERR_SEAL_MALFORMED` before any crypto runs.
 *
 * - **MAC**: HMAC-SHA-256 over everything before the last `*` (prefix, key
 *   id, expiration and payload), with the key's signing key
 *   ({@link RingKey.signingKey}: PBKDF2-SHA-256 of the ring's secret with the
 *   label `sealed-session/signed/v1/<id>`), checked in constant time by the
 *   engine (`timingSafeEqual` / `crypto.subtle.verify`). It is never one of
 *   the iron keys, so no MAC iron computed can pass here, nor the reverse.
 * - **Plaintext**: the same envelope as `sealData`,
 *   `{"i":<issuedAtMs>,"p":"<purpose>","d":<data>}`, and the same mark as a
 *   sealed payload (see `util/compress.ts`): first byte `{` for JSON, `0xFF`
 *   for raw DEFLATE of it (inflated to at most `maxInflatedBytes`).
 *   Compression leaks nothing here: the content is readable anyway.
 * - **Order of checks**, as iron's here: grammar, key id, MAC, expiry,
 *   decoding, envelope and purpose; so a reason is only reported for an
 *   authentic token.
 *
 * ## Never confused with a sealed token
 * The prefix (`Sig1` vs `Fe26.2`), the component count (5 vs 8) and the key
 * (a signing key vs iron's keys) all differ, so an iron token is
 * `ERR_SEAL_MALFORMED` here and a signed token `ERR_SEAL_MALFORMED` to
 * `unsealData`. Signed tokens are never put into the ring's token cache:
 * `ironOpen` answers from that cache before it reads the prefix.
 *
 * @module
 */
import { SessionError, configError, rejectUnknownOptions, type UnsealErrorCode } from '../errors';
import { packPlaintext, unpackPlaintext } from '../util/compress';
import { after, isPromiseLike, type MaybePromise } from '../util/maybe-promise';
import { fromBase64Url, toBase64Url, utf8 } from '../util/encoding';
import { toLosslessJson } from '../util/json';
import { requireOptions } from '../util/options';
import { checkSkew, checkUserPurpose, type PlaintextPacker, type SealOpened } from './index';
import { KEY_RING_OPTIONS, resolveKeyRing, type KeyRing, type KeyRingOptions, type Keys, type RingKey } from './keys';

/** The first component of every signed token (iron's is `Fe26.2`). */
export const SIGNED_PREFIX = 'Sig1';

/** Why a signed token was refused: the unseal codes, and the inflation bound. */
export type SignedRefusalCode = UnsealErrorCode | 'ERR_SEAL_INFLATE_LIMIT';

export interface SignedRefused {
  readonly ok: false;
  readonly code: SignedRefusalCode;
  /** With `ERR_SEAL_INFLATE_LIMIT` (an authentic token): the key id that signed it. */
  readonly keyId?: string;
}

/** What {@link openSigned} returns: the same success shape as `openSealed`. */
export type SignedOpenResult<T> = SealOpened<T> | SignedRefused;

/**
 * Options of {@link signData}.
 *
 * @example
 * ```ts
 * const token = await signData({ theme: 'dark' }, { keys: process.env.SESSION_SECRET!, purpose: 'prefs', ttl: 30 * 86400 });
 * ```
 */
export interface SignOptions extends KeyRingOptions {
  /** The secret or key ring; the current (first / highest) key signs. */
  readonly keys: Keys;
  /** Seconds until the token expires (checked on verify). `0` or absent: no expiry. */
  readonly ttl?: number;
  /**
   * What the token is for; it only verifies with the same purpose. Purposes
   * starting with `cookie:` (any case) are the session store's and are
   * refused (`ERR_CONFIG_OPTION`), as by `sealData`.
   */
  readonly purpose?: string;
  /** DEFLATE the envelope when that saves at least 16 bytes. Default `false`. */
  readonly compress?: boolean;
}

/**
 * Options of {@link verifyData}.
 *
 * @example
 * ```ts
 * const prefs = await verifyData<{ theme: string }>(token, { keys: process.env.SESSION_SECRET!, purpose: 'prefs' });
 * ```
 */
export interface VerifyOptions extends KeyRingOptions {
  /** The secret or key ring; any key in it may verify the token. */
  readonly keys: Keys;
  /** Must equal the purpose the token was signed with (absent matches absent). `cookie:…` is reserved, as in {@link SignOptions.purpose}. */
  readonly purpose?: string;
  /** Seconds a token is still accepted after its expiry. Default 60, at most 600. */
  readonly timestampSkewSec?: number;
  /** Most bytes a compressed payload may inflate to. Default 16 × 6144 (the store's default budget). */
  readonly maxInflatedBytes?: number;
}

/** Every option name {@link signData} and {@link verifyData} take; any other is refused, naming the nearest (as `sealData`'s). */
const SIGN_OPTIONS: readonly string[] = ['keys', 'ttl', 'purpose', 'compress', ...KEY_RING_OPTIONS];
const VERIFY_OPTIONS: readonly string[] = ['keys', 'purpose', 'timestampSkewSec', 'maxInflatedBytes', ...KEY_RING_OPTIONS];

const ID = /^\w+$/;
const EXPIRATION = /^[1-9]\d{0,15}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;
const MAC_CHARS = 43;
const MAC_BYTES = 32;
const MAX_TTL_SECONDS = 2 ** 31;
/**
 * Default inflation bound of {@link verifyData}: the store's default budget
 * (6144) × `INFLATE_FACTOR` (16), written out: a product of imported
 * constants is kept by bundlers in bundles that only seal.
 */
export const DEFAULT_MAX_INFLATED = 98_304;

const MESSAGES: Record<SignedRefusalCode, string> = {
  ERR_SEAL_MALFORMED: 'sealed-session: the token is not a well-formed signed token',
  ERR_SEAL_BAD_MAC: 'sealed-session: the token failed its integrity check (tampered, or signed with another secret)',
  ERR_SEAL_EXPIRED: 'sealed-session: the token has expired',
  ERR_SEAL_UNKNOWN_KEY: 'sealed-session: the token was signed with a key id that is not in the key ring',
  ERR_SEAL_PURPOSE: 'sealed-session: the token was signed for another purpose',
  ERR_SEAL_NOT_JSON: 'sealed-session: the token does not contain JSON',
  ERR_SEAL_INFLATE_LIMIT: 'sealed-session: the token inflates past maxInflatedBytes',
};

const refuse = (code: SignedRefusalCode): SignedRefused => ({ ok: false, code });

/** A RingKey without `signingKey`: made by an older copy of the library (same ring revision). */
function signingKeyOf(key: RingKey): MaybePromise<unknown> {
  if (typeof (key as Partial<RingKey>).signingKey !== 'function') {
    throw configError('ERR_CONFIG_KEYS', 'keys', 'is a KeyRing from a version of sealed-session without signed tokens; make it with this copy\'s createKeyRing');
  }
  return key.signingKey();
}

/**
 * Sign a JSON value with a ring's current key. Synchronous on the node
 * engine (once the signing key is derived, and with node:zlib when
 * compressing); throws `ERR_SEAL_NOT_SERIALIZABLE` synchronously.
 *
 * @param expiresAt ms since the epoch, or `undefined` for no expiry.
 * @param compress whether to compress (`packPlaintext`), or the session store's packer (which also bounds the text).
 * @param depth the depth of `data` for the JSON walk's limit (-1 for a session payload, as `sealWithRing`).
 * @internal
 */
export function signWithRing(
  ring: KeyRing,
  data: unknown,
  purpose: string | undefined,
  now: number,
  expiresAt: number | undefined,
  compress: boolean | PlaintextPacker = false,
  depth = 0,
): MaybePromise<string> {
  const json = toLosslessJson(data, depth);
  if (json === undefined) {
    throw new SessionError(
      'ERR_SEAL_NOT_SERIALIZABLE',
      'sealed-session: the value is not lossless JSON (functions, bigint, undefined, NaN/Infinity, class instances such as Date or Map, symbol-keyed or non-enumerable properties, and cycles are refused)',
    );
  }
  const envelope = purpose === undefined ? `{"i":${now},"d":${json}}` : `{"i":${now},"p":${JSON.stringify(purpose)},"d":${json}}`;
  const key = ring.current;
  const expiration = expiresAt === undefined ? '' : String(Math.ceil(expiresAt));
  return after(typeof compress === 'boolean' ? packPlaintext(envelope, compress) : compress.pack(envelope), (plaintext) => {
    const base = `${SIGNED_PREFIX}*${key.id}*${expiration}*${toBase64Url(typeof plaintext === 'string' ? utf8(plaintext) : plaintext)}`;
    return after(signingKeyOf(key), (macKey) => after(key.engine.sign(macKey, base), (mac) => `${base}*${toBase64Url(mac)}`));
  });
}

/**
 * Verify and read a signed token without throwing: the result says why a
 * token was refused. Never throws for any input (configuration aside).
 *
 * @internal
 */
export function openSigned<T = unknown>(
  ring: KeyRing,
  token: string,
  purpose: string | undefined,
  now: number,
  skewMs: number,
  maxInflatedBytes: number = DEFAULT_MAX_INFLATED,
): MaybePromise<SignedOpenResult<T>> {
  if (typeof token !== 'string') return refuse('ERR_SEAL_MALFORMED');
  // Exactly five components, found with indexOf (linear) without splitting garbage.
  const stars: number[] = [];
  for (let at = token.indexOf('*'); at !== -1; at = token.indexOf('*', at + 1)) {
    if (stars.push(at) > 4) return refuse('ERR_SEAL_MALFORMED');
  }
  if (stars.length !== 4) return refuse('ERR_SEAL_MALFORMED');
  const [s1, s2, s3, s4] = stars as [number, number, number, number];
  const prefix = token.slice(0, s1);
  const id = token.slice(s1 + 1, s2);
  const expText = token.slice(s2 + 1, s3);
  const payload = token.slice(s3 + 1, s4);
  const macText = token.slice(s4 + 1);
  if (prefix !== SIGNED_PREFIX || !ID.test(id) || !(expText === '' || EXPIRATION.test(expText)) || !B64URL.test(payload)) {
    return refuse('ERR_SEAL_MALFORMED');
  }
  // The MAC is the one component it does not cover: canonical base64url only, one spelling per digest.
  const mac = macText.length === MAC_CHARS ? fromBase64Url(macText) : undefined;
  if (!mac || mac.length !== MAC_BYTES) return refuse('ERR_SEAL_MALFORMED');
  const key = ring.get(id);
  if (!key) return refuse('ERR_SEAL_UNKNOWN_KEY');
  const base = token.slice(0, s4);
  return guard(() =>
    after(signingKeyOf(key), (macKey) =>
      after(key.engine.verify(macKey, base, mac), (valid): MaybePromise<SignedOpenResult<T>> => {
        // Strictly `true`: a promise or any other value mistaken for a result refuses.
        if (valid !== true) return refuse('ERR_SEAL_BAD_MAC');
        const expiration = expText === '' ? undefined : Number(expText);
        if (expiration !== undefined && expiration <= now - skewMs) return refuse('ERR_SEAL_EXPIRED');
        const bytes = fromBase64Url(payload);
        if (!bytes) return refuse('ERR_SEAL_MALFORMED');
        return after(unpackPlaintext(bytes, maxInflatedBytes), (unpacked) => {
          if (!unpacked.ok) return unpacked.reason === 'too-large' ? { ok: false, code: 'ERR_SEAL_INFLATE_LIMIT', keyId: key.id } : refuse('ERR_SEAL_NOT_JSON');
          return readEnvelope<T>(ring, key, unpacked.text, purpose, expiration);
        });
      }),
    ),
  );
}

function readEnvelope<T>(ring: KeyRing, key: RingKey, text: string, purpose: string | undefined, expiration: number | undefined): SignedOpenResult<T> {
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch {
    return refuse('ERR_SEAL_NOT_JSON');
  }
  if (
    envelope === null ||
    typeof envelope !== 'object' ||
    Array.isArray(envelope) ||
    !Object.hasOwn(envelope, 'd') ||
    typeof (envelope as { i?: unknown }).i !== 'number' ||
    (envelope as { p?: unknown }).p !== purpose
  ) {
    return refuse('ERR_SEAL_PURPOSE');
  }
  const { i, d } = envelope as { i: number; d: T };
  return { ok: true, data: d, issuedAt: i, expiresAt: expiration, keyId: key.id, stale: key !== ring.current };
}

/** Turn a crypto failure (a thrown error or a rejected promise) into `ERR_SEAL_BAD_MAC`; configuration errors still throw. */
function guard<R>(run: () => MaybePromise<R | SignedRefused>): MaybePromise<R | SignedRefused> {
  const onError = (err: unknown): SignedRefused => {
    if (err instanceof SessionError) throw err;
    return refuse('ERR_SEAL_BAD_MAC');
  };
  try {
    const value = run();
    return isPromiseLike(value) ? Promise.resolve(value).catch(onError) : value;
  } catch (err) {
    return onError(err);
  }
}

function checkTtl(ttl: unknown): number {
  if (ttl === undefined) return 0;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS) {
    throw configError('ERR_CONFIG_OPTION', 'ttl', `must be a number of seconds from 0 (no expiry) to ${MAX_TTL_SECONDS}`);
  }
  return ttl;
}

/**
 * Sign a JSON value into a readable, tamper-proof token (`Sig1*…`).
 * **Anyone holding the token can read the value**: use `sealData` for
 * anything secret. Rejects with `ERR_SEAL_NOT_SERIALIZABLE` for values JSON
 * would change, and `ERR_CONFIG_*` for bad options.
 *
 * @example
 * ```ts
 * const token = await signData({ bucket: 'B' }, { keys: process.env.SESSION_SECRET!, purpose: 'ab-test' });
 * ```
 */
export async function signData(data: unknown, options: SignOptions): Promise<string> {
  requireOptions(options);
  rejectUnknownOptions(options, SIGN_OPTIONS);
  const ring = resolveKeyRing(options.keys, options);
  const ttl = checkTtl(options.ttl);
  const purpose = checkUserPurpose(options.purpose);
  if (options.compress !== undefined && typeof options.compress !== 'boolean') {
    throw configError('ERR_CONFIG_OPTION', 'compress', 'must be true or false');
  }
  const now = Date.now();
  return signWithRing(ring, data, purpose, now, ttl > 0 ? now + ttl * 1000 : undefined, options.compress ?? false);
}

/**
 * Verify a token made by {@link signData} and return its value. Rejects
 * with a {@link SessionError}: `ERR_SEAL_MALFORMED` (also for any sealed
 * `Fe26.2` token), `ERR_SEAL_BAD_MAC`, `ERR_SEAL_EXPIRED`,
 * `ERR_SEAL_UNKNOWN_KEY`, `ERR_SEAL_PURPOSE`, `ERR_SEAL_NOT_JSON`,
 * `ERR_SEAL_INFLATE_LIMIT`, or `ERR_CONFIG_*` for bad options.
 *
 * @example
 * ```ts
 * const { bucket } = await verifyData<{ bucket: string }>(token, { keys: process.env.SESSION_SECRET!, purpose: 'ab-test' });
 * ```
 */
export async function verifyData<T = unknown>(token: string, options: VerifyOptions): Promise<T> {
  requireOptions(options);
  rejectUnknownOptions(options, VERIFY_OPTIONS);
  const ring = resolveKeyRing(options.keys, options);
  const purpose = checkUserPurpose(options.purpose);
  const skewMs = checkSkew(options.timestampSkewSec);
  const max = options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw configError('ERR_CONFIG_OPTION', 'maxInflatedBytes', 'must be a whole number of bytes, at least 1');
  }
  const result = await openSigned<T>(ring, token, purpose, Date.now(), skewMs, max);
  if (!result.ok) throw new SessionError(result.code, MESSAGES[result.code]);
  return result.data;
}
