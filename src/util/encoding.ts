/**
 * Byte/string helpers for the iron format: strict base64url, hex and UTF-8
 * (the lossless JSON check is util/json.ts). Strictness matters: the HMAC digest field of an iron
 * token is not itself covered by the MAC, so a lenient decoder that accepted
 * two spellings of one digest would make tokens malleable.
 *
 * @module
 * @internal
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** char code → 6-bit value, or -1 outside the base64url alphabet (RFC 4648 §5). */
const DECODE = /* @__PURE__ */ (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

interface BufferLike {
  from(input: string, encoding: 'base64url' | 'utf8'): Uint8Array & { toString(encoding: string): string };
  from(input: Uint8Array): Uint8Array & { toString(encoding: string): string };
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): Uint8Array & { toString(encoding: string): string };
}
/** Node's, Bun's and Deno's Buffer is several times faster than the portable loops below. */
const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;

const textEncoder = /* @__PURE__ */ new TextEncoder();
const textDecoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}

/** Decode UTF-8, throwing on invalid sequences (the caller maps that to ERR_SEAL_NOT_JSON). */
export function fromUtf8(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

/** base64url without padding (RFC 4648 §5), the encoding iron uses for iv, ciphertext and digest. */
export function toBase64Url(bytes: Uint8Array): string {
  if (NodeBuffer) {
    return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  }
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * base64url decoding for text already authenticated (covered by a MAC that
 * held): no per-character validation on runtimes with `Buffer`. Returns
 * `undefined` where the portable decoder finds a character outside the alphabet.
 */
export function decodeBase64Url(text: string): Uint8Array | undefined {
  if (NodeBuffer) {
    const buf = NodeBuffer.from(text, 'base64url');
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  return fromBase64Url(text);
}

/**
 * Strict, canonical base64url decoding: only the 64 alphabet characters, no
 * padding, a length that is not 1 mod 4, and zero bits in the unused low bits
 * of the last character. Returns `undefined` for anything else, so that every
 * byte string has exactly one accepted spelling.
 */
export function fromBase64Url(text: string): Uint8Array | undefined {
  const length = text.length;
  const rest = length & 3;
  if (rest === 1) return undefined;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c > 127 || DECODE[c]! < 0) return undefined;
  }
  if (rest !== 0) {
    const last = DECODE[text.charCodeAt(length - 1)]!;
    // 2 trailing chars carry 8 bits (4 unused), 3 carry 16 bits (2 unused).
    if ((rest === 2 && (last & 15) !== 0) || (rest === 3 && (last & 3) !== 0)) return undefined;
  }
  if (NodeBuffer) {
    const buf = NodeBuffer.from(text, 'base64url');
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  const out = new Uint8Array((length * 3) >> 2);
  let o = 0;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    const n =
      (DECODE[text.charCodeAt(i)]! << 18) |
      (DECODE[text.charCodeAt(i + 1)]! << 12) |
      (DECODE[text.charCodeAt(i + 2)]! << 6) |
      DECODE[text.charCodeAt(i + 3)]!;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  if (rest >= 2) {
    const n = (DECODE[text.charCodeAt(i)]! << 18) | (DECODE[text.charCodeAt(i + 1)]! << 12) |
      (rest === 3 ? DECODE[text.charCodeAt(i + 2)]! << 6 : 0);
    out[o++] = n >> 16;
    if (rest === 3) out[o++] = (n >> 8) & 255;
  }
  return out;
}

/** Lower-case hex, the encoding iron uses for salts. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return out;
}
