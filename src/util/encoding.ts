/**
 * Byte/string helpers for the iron format: strict base64url, hex, UTF-8 and a
 * lossless JSON check. Strictness matters: the HMAC digest field of an iron
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

/**
 * Serialize a value to JSON, refusing what JSON would silently change or
 * lose: `undefined`/functions/symbols at the top level or in arrays,
 * `bigint`, non-finite numbers, class instances such as `Date` or `Map`
 * (and Array subclasses), symbol-keyed or non-enumerable own properties of
 * an object, and cycles.
 *
 * Three things JSON drops are let through, as JSON drops them:
 * - object properties whose value is `undefined`;
 * - an array's own properties other than its elements (`arr.extra = 1`, or
 *   `index`/`input`/`groups` on a RegExp match): only elements are JSON, and
 *   finding the others means listing every index of every array as a
 *   string, about 250 ns per array on Node 20, which would add nearly half
 *   again to this function's cost on a typical session at every seal;
 * - the sign of `-0`, written as `0` (JSON has no negative zero; refusing it
 *   would make an ordinary result such as `Math.round(-0.2)` unsealable).
 *
 * @returns the JSON text, or `undefined` when the value is not lossless JSON.
 */
export function toLosslessJson(value: unknown): string | undefined {
  try {
    inherited = hasInheritedEnumerables();
    if (!isLosslessJson(value, 0)) return undefined;
    return JSON.stringify(value);
  } catch {
    // A getter or proxy that throws: not a value we can seal.
    return undefined;
  }
}

const MAX_DEPTH = 256;
const { getOwnPropertyNames, getOwnPropertySymbols, getPrototypeOf, hasOwn } = Object;

/**
 * Whether `for...in` over a plain object also lists inherited properties:
 * only when someone added an enumerable property to `Object.prototype`.
 * Checked once per call, so that the common case skips a `hasOwn` per key.
 */
let inherited = false;
function hasInheritedEnumerables(): boolean {
  for (const _ in {}) return true;
  return false;
}

function isLosslessJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      // A cycle recurses until the depth bound: refused, like anything nested that deep.
      if (depth > MAX_DEPTH) return false;
      const proto = getPrototypeOf(value) as unknown;
      if (Array.isArray(value)) {
        if (proto !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) if (!isLosslessJson(value[i], depth + 1)) return false;
        return true;
      }
      if (proto !== Object.prototype && proto !== null) return false;
      let enumerable = 0;
      for (const key in value) {
        if (inherited && !hasOwn(value, key)) continue;
        enumerable++;
        const v = (value as Record<string, unknown>)[key];
        if (v !== undefined && !isLosslessJson(v, depth + 1)) return false;
      }
      // JSON skips non-enumerable and symbol-keyed own properties without a
      // word. Comparing counts is cheap (Reflect.ownKeys plus a descriptor per
      // key, as iron-webcrypto does, would cost more than the rest of the check).
      return getOwnPropertyNames(value).length === enumerable && getOwnPropertySymbols(value).length === 0;
    }
    default:
      return false;
  }
}
