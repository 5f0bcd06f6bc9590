/**
 * The iron token format (`Fe26.2`), written and read with a {@link KeyRing}.
 *
 * ```
 * Fe26.2*<keyId>*<encSaltHex>*<ivB64url>*<ciphertextB64url>*<expirationMs>*<macSaltHex>*<macB64url>
 * ```
 * The HMAC-SHA-256 covers the first six components. Keys come from
 * PBKDF2-SHA-1 (1 iteration) of the password and the salt's hex text, or are a
 * raw 32-byte key with empty salts. Output is byte-for-byte what
 * `iron-webcrypto`'s `seal` produces with its default options, and tokens
 * from it open here.
 *
 * Unlike iron, the MAC is checked before the expiry, so a reason code is only
 * ever reported for an authentic token (a forger cannot make a token "expire").
 * No error from the crypto layer or the decoders escapes: every failure is a
 * code.
 *
 * @module
 * @internal
 */
import type { UnsealErrorCode } from '../errors';
import { randomBytes, type EngineKey } from './engine';
import { decodeBase64Url, fromUtf8, toBase64Url } from '../util/encoding';
import { after, isPromiseLike, type MaybePromise } from '../util/maybe-promise';
import type { KeyRing, RingKey } from './keys';

// The two constants of the iron specification (hapijs/iron, README "Protocol"; iron-webcrypto's
// `macPrefix` and `defaults.timestampSkewSec`), written out so that src never imports the
// iron-webcrypto devDependency. test/seal/iron.test.ts checks them against iron-webcrypto.
/** `Fe26.2`: iron's MAC format version 2 (the token prefix). */
export const IRON_PREFIX: string = 'Fe26.2';
/** Iron's default allowance for clocks that disagree, in seconds (`timestampSkewSec`). */
export const DEFAULT_SKEW_SECONDS: number = 60;

const ID = /^\w*$/;
/** Iron salts are hex from its random generator; other iron implementations use hex too. */
const SALT = /^[0-9A-Fa-f]{1,256}$/;
const EXPIRATION = /^[1-9]\d{0,15}$/;
const IV_BYTES = 16;
/** 16 bytes in base64url without padding. */
const IV_CHARS = 22;
/** RFC 4648 §5 alphabet, no padding (a single character class: linear, no backtracking). */
const B64URL = /^[A-Za-z0-9_-]+$/;
/**
 * A 32-byte digest in canonical base64url: 43 characters, the last one
 * carrying 4 data bits and 2 zero bits (one of 16 characters). One spelling
 * per digest, as the MAC does not cover its own field.
 */
const MAC_TEXT = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** A token opened successfully. */
export interface IronOpened {
  readonly ok: true;
  /** The JSON text that was sealed. */
  readonly plaintext: string;
  /** The ring key that opened it. */
  readonly key: RingKey;
  /** Iron expiration field in ms since the epoch, when the token has one. */
  readonly expiration: number | undefined;
}

/** A token refused, with the reason. */
export interface IronRefused {
  readonly ok: false;
  readonly code: UnsealErrorCode;
}

export type IronResult = IronOpened | IronRefused;

/**
 * Reads a plaintext that does not start with `{`: the session store's
 * compressed payloads (`0xFF ‖ raw DEFLATE`, see `util/compress.ts`). Given
 * by the caller, so that this module (and every bundle that only seals)
 * holds no decompression code. Without one, such a plaintext is read as
 * UTF-8 as before (`ERR_SEAL_NOT_JSON`, since 0xFF is never UTF-8).
 */
export interface PlaintextReader {
  /** The first byte this reader reads (the compression mark). */
  readonly mark: number;
  /** The authentic plaintext bytes (mark included) → the JSON text, or why not. */
  read(bytes: Uint8Array): MaybePromise<{ readonly ok: true; readonly text: string } | { readonly ok: false; readonly code: 'ERR_SEAL_NOT_JSON' | 'ERR_SEAL_INFLATE_LIMIT' }>;
  /**
   * Longest text (UTF-16 units) the token cache may keep for a token this
   * reader opened: larger ones are read again on every open, so that
   * compression does not raise the memory the cache can hold.
   */
  readonly cacheLimit: number;
}

/**
 * A refusal of an iron token, including a reader's inflation bound: the
 * token is authentic, so the key id that opened it is known (a bomb means a
 * key holder made it, and which key matters).
 */
export type IronReadRefused = IronRefused | { readonly ok: false; readonly code: 'ERR_SEAL_INFLATE_LIMIT'; readonly keyId: string };

const refuse = <C extends UnsealErrorCode | 'ERR_SEAL_INFLATE_LIMIT'>(code: C): { readonly ok: false; readonly code: C } => ({ ok: false, code });

/**
 * Seal a JSON text with the ring's current key.
 *
 * @param expiration ms since the epoch, or `undefined` for a token without expiry.
 * @param plaintext the bytes to encrypt when they are not `json` itself (a
 *   compressed form of it); the token cache remembers `json`, if it is at
 *   most `cacheLimit` long ({@link PlaintextReader.cacheLimit}).
 */
export function ironSeal(
  ring: KeyRing,
  json: string,
  expiration: number | undefined,
  plaintext: Uint8Array | string = json,
  cacheLimit = Number.POSITIVE_INFINITY,
): MaybePromise<string> {
  const key = ring.current;
  // Chained with `after` rather than awaited, so the node:crypto engine seals
  // synchronously (no promise, no microtask): adapters rely on that to commit
  // a session while node:http writes its headers.
  return after(key.sealKeys(), ({ encSalt, macSalt, encKey, macKey }) => {
    const iv = randomBytes(IV_BYTES);
    return after(key.engine.encrypt(encKey, iv, plaintext), (ciphertext) => {
      const base = `${IRON_PREFIX}*${key.id}*${encSalt}*${toBase64Url(iv)}*${toBase64Url(ciphertext)}*${expiration ?? ''}`;
      const engine = key.engine;
      // PERF: `npm run bench:peers` (ours-cold round trip; bench/README.md "Peer benchmark"): the node engine gives the digest as text, no Buffer made.
      return after(engine.macText ? engine.macText(macKey, base) : after(engine.sign(macKey, base), toBase64Url), (macText) => {
        const token = `${base}*${macSalt}*${macText}`;
        if (json.length <= cacheLimit) ring.remember(token, json, key, expiration);
        return token;
      });
    });
  });
}

/**
 * Open an iron token: structure, key id, MAC, expiry, decryption, UTF-8 — in
 * that order. Never throws for any input string. Synchronous (no promise) on
 * the node:crypto engine once the key is cached.
 *
 * @param now ms since the epoch.
 * @param skewMs how far past its expiration a token is still accepted.
 * @param reader reads a plaintext starting with `reader.mark` (compressed); without it, such a plaintext is not JSON.
 */
export function ironOpen(ring: KeyRing, token: string, now: number, skewMs: number): MaybePromise<IronResult>;
export function ironOpen(ring: KeyRing, token: string, now: number, skewMs: number, reader: PlaintextReader | undefined): MaybePromise<IronResult | IronReadRefused>;
export function ironOpen(ring: KeyRing, token: string, now: number, skewMs: number, reader?: PlaintextReader): MaybePromise<IronResult | IronReadRefused> {
  if (typeof token !== 'string') return refuse('ERR_SEAL_MALFORMED');
  const known = ring.recall(token);
  if (known) {
    // Sealed or verified by this ring before: the same bytes open to the same plaintext. Expiry still applies.
    if (known.expiration !== undefined && known.expiration <= now - skewMs) return refuse('ERR_SEAL_EXPIRED');
    return { ok: true, plaintext: known.plaintext, key: known.key, expiration: known.expiration };
  }
  // Exactly eight components: find the seven separators with indexOf (native,
  // linear) and refuse an eighth, without splitting garbage into pieces.
  const parts: string[] = [];
  let start = 0;
  for (let n = 0; n < 7; n++) {
    const star = token.indexOf('*', start);
    if (star === -1) return refuse('ERR_SEAL_MALFORMED');
    parts.push(token.slice(start, star));
    start = star + 1;
  }
  if (token.indexOf('*', start) !== -1) return refuse('ERR_SEAL_MALFORMED');
  parts.push(token.slice(start));
  const [prefix, id, encSalt, ivText, cipherText, expText, macSalt, macText] = parts as [
    string, string, string, string, string, string, string, string,
  ];
  if (prefix !== IRON_PREFIX || !ID.test(id) || !(expText === '' || EXPIRATION.test(expText))) {
    return refuse('ERR_SEAL_MALFORMED');
  }
  const key = ring.get(id);
  if (!key) return refuse('ERR_SEAL_UNKNOWN_KEY');
  // A raw key ignores salts, so they must be empty; otherwise the (un-MACed)
  // mac salt could be changed without detection. The digest is the one
  // component the MAC does not cover, so it must be canonical base64url:
  // one accepted spelling per digest.
  // A salt whose key is cached was validated when a token using it verified.
  const cachedMacKey = key.cached(macSalt, 'mac');
  const cachedEncKey = key.cached(encSalt, 'encrypt');
  const saltsOk = key.raw
    ? encSalt === '' && macSalt === ''
    : (cachedMacKey !== undefined || SALT.test(macSalt)) && (cachedEncKey !== undefined || SALT.test(encSalt));
  // Cheap shape checks here; the characters of the MAC-covered iv and
  // ciphertext are only examined if the MAC fails (to tell "malformed" from
  // "tampered"), since a MAC that holds proves they are as we wrote them.
  if (!saltsOk || !MAC_TEXT.test(macText) || ivText.length !== IV_CHARS || ((cipherText.length * 3) >> 2) % 16 !== 0 || cipherText.length === 0) {
    return refuse('ERR_SEAL_MALFORMED');
  }
  const base = token.slice(0, token.length - macSalt.length - macText.length - 2);
  const engine = key.engine;
  return guard<IronResult | IronReadRefused>(() =>
    after(cachedMacKey ?? key.derive(macSalt, 'mac'), (macKey) =>
      // PERF: `npm run bench:peers` (ours-cold read only): the node engine checks the digest text without a Buffer per digest.
      after(engine.verify(macKey, base, engine.macText ? macText : decodeBase64Url(macText)!), (valid): MaybePromise<IronResult | IronReadRefused> => {
        // Strictly `true`: anything else (false, or a value that is not a boolean at all) refuses.
        if (valid !== true) return refuse(B64URL.test(ivText) && B64URL.test(cipherText) ? 'ERR_SEAL_BAD_MAC' : 'ERR_SEAL_MALFORMED');
        if (cachedMacKey === undefined) key.remember(macSalt, 'mac', macKey);
        const expiration = expText === '' ? undefined : Number(expText);
        if (expiration !== undefined && expiration <= now - skewMs) return refuse('ERR_SEAL_EXPIRED');
        return decryptVerified(ring, token, key, encSalt, cachedEncKey, ivText, cipherText, expiration, reader);
      }),
    ),
    'ERR_SEAL_BAD_MAC',
  );
}

/** Decrypt a token whose MAC holds. Authentic but undecryptable means made by a key holder, not by iron. */
function decryptVerified(
  ring: KeyRing,
  token: string,
  key: RingKey,
  encSalt: string,
  cachedEncKey: EngineKey | undefined,
  ivText: string,
  cipherText: string,
  expiration: number | undefined,
  reader: PlaintextReader | undefined,
): MaybePromise<IronResult | IronReadRefused> {
  // Both are covered by the MAC that just held, so they are our own encoding: no need to re-validate each character.
  const iv = decodeBase64Url(ivText);
  const ciphertext = decodeBase64Url(cipherText);
  if (!iv || iv.length !== IV_BYTES || !ciphertext || ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    return refuse('ERR_SEAL_MALFORMED');
  }
  return guard<IronResult | IronReadRefused>(() =>
    after(cachedEncKey ?? key.derive(encSalt, 'encrypt'), (encKey) =>
      after(key.engine.decrypt(encKey, iv, ciphertext), (plainBytes): MaybePromise<IronResult | IronReadRefused> => {
        if (cachedEncKey === undefined) key.remember(encSalt, 'encrypt', encKey);
        if (reader !== undefined && plainBytes[0] === reader.mark) {
          return after(reader.read(plainBytes), (read): IronResult | IronReadRefused => {
            if (!read.ok) return read.code === 'ERR_SEAL_INFLATE_LIMIT' ? { ok: false, code: read.code, keyId: key.id } : refuse(read.code);
            if (read.text.length <= reader.cacheLimit) ring.remember(token, read.text, key, expiration);
            return { ok: true, plaintext: read.text, key, expiration };
          });
        }
        let plaintext: string;
        try {
          plaintext = fromUtf8(plainBytes);
        } catch {
          return refuse('ERR_SEAL_NOT_JSON');
        }
        ring.remember(token, plaintext, key, expiration);
        return { ok: true, plaintext, key, expiration };
      }),
    ),
    'ERR_SEAL_MALFORMED',
  );
}

/**
 * Run a step that may throw or reject (crypto errors: bad padding, a key the
 * engine refuses) and turn any failure into a refusal with `code`.
 */
function guard<R extends IronResult | IronReadRefused>(run: () => MaybePromise<R>, code: UnsealErrorCode): MaybePromise<R | IronRefused> {
  try {
    const value = run();
    return isPromiseLike(value) ? Promise.resolve(value).catch(() => refuse(code)) : value;
  } catch {
    return refuse(code);
  }
}
