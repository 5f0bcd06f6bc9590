/**
 * How a session payload becomes a cookie value and back, per the store's
 * `content` and `compress` options:
 *
 * - `content: 'encrypted'` (default): an iron seal (`Fe26.2*…`), AES-256-CBC
 *   + HMAC-SHA-256.
 * - `content: 'signed'`: a signed-only token (`Sig1*…`, `seal/signed.ts`):
 *   HMAC-SHA-256 with a key derived for signing only; the content is
 *   readable by whoever holds the cookie.
 * - `compress: true`: the envelope's JSON is sealed as `0xFF ‖ raw DEFLATE`
 *   when that is shorter (`util/compress.ts`). Reading accepts both forms
 *   whatever `compress` says, so turning it on or off logs nobody out; a
 *   compressed payload is inflated to at most {@link INFLATE_FACTOR} ×
 *   `maxBytes` bytes, and one that would inflate further is refused
 *   (`ERR_SEAL_INFLATE_LIMIT`, reason `inflate-limit`) without being
 *   inflated in full. The writer refuses (`ERR_SESSION_TOO_LARGE`) a state
 *   whose JSON passes that bound, so it never writes what it would refuse.
 *
 * A store never takes a token of the other content mode: the prefixes
 * differ, and each mode refuses the other's (reason `wrong-content`), before
 * any key is used.
 *
 * @module
 * @internal
 */
import { SessionError, configError } from '../errors';
import { DEFLATE_MARK, INFLATE_FACTOR, compressionBackend, packPlaintext, unpackPlaintext } from '../util/compress';
import { after, type MaybePromise } from '../util/maybe-promise';
import { openSealed, sealWithRing, type PlaintextPacker, type SealOpenResult } from '../seal/index';
import { IRON_PREFIX, type IronReadRefused, type PlaintextReader } from '../seal/iron';
import type { KeyRing } from '../seal/keys';
import { SIGNED_PREFIX, openSigned, signWithRing, type SignedRefused } from '../seal/signed';

/** What the store's cookies carry: `encrypted` (iron seal, the default) or `signed` (readable, tamper-proof). */
export type ContentMode = 'encrypted' | 'signed';

/** The store's resolved choice of format, with the compression it writes and the bound it reads with. */
export interface SessionCodec {
  readonly content: ContentMode;
  readonly compress: boolean;
  /** Most bytes a compressed payload may inflate to: {@link INFLATE_FACTOR} × `maxBytes`. */
  readonly maxInflatedBytes: number;
  /** Seals with compression (`undefined` when `compress` is off: the plain path, unchanged). */
  readonly packer: PlaintextPacker | undefined;
  /** Reads compressed payloads of iron seals, always (cookies written before `compress` was turned off). */
  readonly reader: PlaintextReader;
}

/** A cookie value opened, or refused with the seal layer's code. */
export type CodecOpenResult = SealOpenResult<unknown> | IronReadRefused | SignedRefused;

/** Longest UTF-8 length of a string (3 bytes per UTF-16 unit), and its exact length when that could matter. */
function utf8Length(text: string, bound: number): number {
  if (text.length * 3 <= bound) return text.length * 3;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? (i++, 4) : 3;
  }
  return bytes;
}

/** Build the codec of a store; throws `ERR_CONFIG_OPTION` for `compress: true` on a runtime that cannot deflate. */
export function createCodec(content: ContentMode, compress: boolean, maxBytes: number): SessionCodec {
  const maxInflatedBytes = INFLATE_FACTOR * maxBytes;
  if (compress && compressionBackend() === 'none') {
    throw configError(
      'ERR_CONFIG_OPTION',
      'compress',
      'needs the platform deflate (node:zlib through process.getBuiltinModule, or CompressionStream), which this runtime has neither of; turn compression off here',
    );
  }
  const tooLarge = (bytes: number): never => {
    throw new SessionError(
      'ERR_SESSION_TOO_LARGE',
      `sealed-session: the session's JSON is ${bytes} bytes, over the ${maxInflatedBytes} bytes a compressed cookie may hold once inflated (${INFLATE_FACTOR} × maxBytes); store less in the session, or raise maxBytes`,
      { size: { measured: bytes, allowed: maxInflatedBytes } },
    );
  };
  const packer: PlaintextPacker | undefined = compress
    ? {
        cacheLimit: maxBytes,
        pack(json) {
          // Checked before deflating: a reader would refuse it, and a huge state need not be compressed to learn that.
          const bytes = utf8Length(json, maxInflatedBytes);
          if (bytes > maxInflatedBytes) tooLarge(bytes);
          return packPlaintext(json, true);
        },
      }
    : undefined;
  const reader: PlaintextReader = {
    mark: DEFLATE_MARK,
    cacheLimit: maxBytes,
    read: (bytes) =>
      after(unpackPlaintext(bytes, maxInflatedBytes), (r) =>
        r.ok ? r : { ok: false as const, code: r.reason === 'too-large' ? ('ERR_SEAL_INFLATE_LIMIT' as const) : ('ERR_SEAL_NOT_JSON' as const) },
      ),
  };
  return Object.freeze({ content, compress, maxInflatedBytes, packer, reader });
}

/**
 * Seal (or sign) a session payload for `purpose`. Throws
 * `ERR_SEAL_NOT_SERIALIZABLE` and `ERR_SESSION_TOO_LARGE` (the inflation
 * bound) synchronously; synchronous on the node engine with node:zlib.
 */
export function sealPayload(
  codec: SessionCodec,
  ring: KeyRing,
  payload: object | undefined,
  purpose: string,
  now: number,
  expiresAt: number,
): MaybePromise<string> {
  // -1: the payload wraps the state by one level, so the state itself may nest as deep as a plain value.
  if (codec.content === 'signed') return signWithRing(ring, payload, purpose, now, expiresAt, codec.packer ?? false, -1);
  return sealWithRing(ring, payload, purpose, now, expiresAt, -1, codec.packer);
}

/**
 * A token of the other content mode (a sealed cookie at a signed store, or
 * the reverse): refused before any key is used. (The prefixes are looked up
 * here, not in module-level constants, which bundlers keep in bundles that
 * only seal.)
 */
export function isOtherContent(codec: SessionCodec, token: string): boolean {
  const signed = codec.content === 'signed';
  return token.startsWith(`${signed ? IRON_PREFIX : SIGNED_PREFIX}*`);
}

/** Open a cookie value of this store's content mode; the expiry sealed in it is checked with `skewMs`. */
export function openPayload(codec: SessionCodec, ring: KeyRing, token: string, purpose: string, now: number, skewMs: number): MaybePromise<CodecOpenResult> {
  if (codec.content === 'signed') return openSigned(ring, token, purpose, now, skewMs, codec.maxInflatedBytes);
  return openSealed(ring, token, purpose, now, skewMs, codec.reader);
}
