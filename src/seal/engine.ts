/**
 * The crypto primitives iron needs, behind one interface with two
 * implementations:
 *
 * - `node`: synchronous `node:crypto` (Node, Bun, Deno), reached through
 *   `process.getBuiltinModule` so that no bundle ever contains a `node:` import.
 *   Node.js has it from 20.16.0 on, hence `engines: >=20.16.0`: on an older
 *   Node 20, `auto` would silently pick WebCrypto (asynchronous sealing) and
 *   `node` is refused. There is no bundle-safe way around it: the ESM build
 *   has no `require`, and `module.createRequire` needs a `node:module` import.
 * - `webcrypto`: `crypto.subtle` with imported `CryptoKey`s, for edge runtimes
 *   and browsers.
 *
 * Both implement AES-256-CBC, HMAC-SHA-256 and PBKDF2 exactly as iron
 * specifies; the layer above (`iron.ts`) is the only place that knows the token
 * format and it is shared by both.
 *
 * @module
 * @internal
 */
import type * as NodeBuffer from 'node:buffer';
import type * as NodeCrypto from 'node:crypto';
import { createNodeEngine } from './node-engine';
import { nodeBuiltin } from '../util/env';
import type { MaybePromise } from '../util/maybe-promise';

/** What an engine uses for a key: a Buffer/KeyObject in Node, a CryptoKey in WebCrypto. */
export type EngineKey = unknown;

export type KeyUsage = 'encrypt' | 'mac';

/**
 * The crypto engine a {@link KeyRing} uses (`ring.engine`). Only `kind` is
 * public API: the primitives behind it are internal and may change.
 *
 * @example
 * ```ts
 * const engine: CryptoEngine = createKeyRing(secret, { crypto: 'auto' }).engine;
 * if (engine.kind === 'webcrypto') console.info('sealing with crypto.subtle');
 * ```
 */
export interface CryptoEngine {
  /** `node`: synchronous node:crypto. `webcrypto`: `crypto.subtle` (asynchronous). */
  readonly kind: 'node' | 'webcrypto';
  /** @internal Import 32 raw bytes as an AES-256-CBC key or an HMAC-SHA-256 key. */
  importKey(raw: Uint8Array, usage: KeyUsage): MaybePromise<EngineKey>;
  /** @internal PBKDF2 → 32 bytes. Iron uses SHA-1 with the salt's hex text as salt. */
  pbkdf2(password: Uint8Array, salt: Uint8Array, iterations: number, hash: 'SHA-1' | 'SHA-256'): MaybePromise<Uint8Array>;
  /** @internal AES-256-CBC with PKCS#7 padding (a string is encoded as UTF-8). */
  encrypt(key: EngineKey, iv: Uint8Array, plaintext: Uint8Array | string): MaybePromise<Uint8Array>;
  /** @internal AES-256-CBC; throws on bad padding (the caller maps that to a code). */
  decrypt(key: EngineKey, iv: Uint8Array, ciphertext: Uint8Array): MaybePromise<Uint8Array>;
  /** @internal HMAC-SHA-256. */
  sign(key: EngineKey, data: Uint8Array | string): MaybePromise<Uint8Array>;
  /**
   * @internal Constant-time HMAC-SHA-256 verification. `mac` may be given as
   * text (canonical base64url, 43 characters, checked by the caller) only to
   * an engine that has {@link CryptoEngine.macText}.
   */
  verify(key: EngineKey, data: Uint8Array | string, mac: Uint8Array | string): MaybePromise<boolean>;
  /** @internal HMAC-SHA-256 as base64url text, synchronously (node engine only: no digest Buffer is made). */
  macText?(key: EngineKey, data: string): string;
}

const POOL_SIZE = 4096;
let pool = new Uint8Array(0);
let poolOffset = 0;

/**
 * Random bytes from the platform CSPRNG (`crypto.getRandomValues`, in every
 * runtime we support). Small requests are served from a 4 KiB block filled
 * by one CSPRNG call: each byte is handed out once and never again (the
 * offset only moves forward, and a new block is drawn when it runs out), so
 * the output is exactly as unpredictable as one call per request, at a
 * fraction of the cost of a system call per IV.
 */
export function randomBytes(length: number): Uint8Array {
  if (length > 256) return globalThis.crypto.getRandomValues(new Uint8Array(length));
  if (poolOffset + length > pool.length) {
    pool = globalThis.crypto.getRandomValues(new Uint8Array(POOL_SIZE));
    poolOffset = 0;
  }
  // A copy, so that no caller can alter bytes still to be handed to another.
  const out = pool.slice(poolOffset, poolOffset + length);
  poolOffset += length;
  return out;
}

type NodeModules = readonly [typeof NodeCrypto, typeof NodeBuffer];

function loadNodeCrypto(): NodeModules | undefined {
  const crypto = nodeBuiltin<typeof NodeCrypto>('node:crypto');
  const buffer = nodeBuiltin<typeof NodeBuffer>('node:buffer');
  return crypto && buffer && typeof crypto.createCipheriv === 'function' && typeof crypto.timingSafeEqual === 'function'
    ? [crypto, buffer]
    : undefined;
}

const encoder = /* @__PURE__ */ new TextEncoder();
const asBytes = (data: Uint8Array | string): Uint8Array<ArrayBuffer> =>
  (typeof data === 'string' ? encoder.encode(data) : data) as Uint8Array<ArrayBuffer>;
const asBuffer = (bytes: Uint8Array) => bytes as Uint8Array<ArrayBuffer>;

function createWebCryptoEngine(): CryptoEngine {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new Error('sealed-session: this runtime has neither node:crypto nor crypto.subtle');
  }
  return {
    kind: 'webcrypto',
    importKey: (raw, usage) =>
      usage === 'encrypt'
        ? subtle.importKey('raw', asBuffer(raw), { name: 'AES-CBC' }, false, ['encrypt', 'decrypt'])
        : subtle.importKey('raw', asBuffer(raw), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']),
    async pbkdf2(password, salt, iterations, hash) {
      const base = await subtle.importKey('raw', asBuffer(password), 'PBKDF2', false, ['deriveBits']);
      const bits = await subtle.deriveBits({ name: 'PBKDF2', salt: asBuffer(salt), iterations, hash }, base, 256);
      return new Uint8Array(bits);
    },
    encrypt: async (key, iv, plaintext) =>
      new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv: asBuffer(iv) }, key as CryptoKey, asBytes(plaintext))),
    decrypt: async (key, iv, ciphertext) =>
      new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv: asBuffer(iv) }, key as CryptoKey, asBuffer(ciphertext))),
    sign: async (key, data) => new Uint8Array(await subtle.sign('HMAC', key as CryptoKey, asBytes(data))),
    // Given bytes only: this engine has no macText.
    verify: (key, data, mac) => subtle.verify('HMAC', key as CryptoKey, asBuffer(mac as Uint8Array), asBytes(data)),
  };
}

/**
 * Which engine to use: `auto` picks `node` where node:crypto exists (Node.js
 * 20.16.0 or later, Bun, Deno), else `webcrypto`. Forcing `node` where
 * node:crypto is missing throws `ERR_CONFIG_OPTION` at construction.
 *
 * @example
 * ```ts
 * const crypto: EngineChoice = 'webcrypto'; // e.g. to test the edge code path in Node
 * const store = new CookieSessionStore({ keys: process.env.SESSION_SECRET!, crypto });
 * ```
 */
export type EngineChoice = 'auto' | 'node' | 'webcrypto';

let nodeEngine: CryptoEngine | null | undefined;
let webEngine: CryptoEngine | undefined;

/**
 * Resolve an engine. `node` falls back to nothing: asking for it where
 * node:crypto is missing is a configuration error reported by the caller.
 */
export function getEngine(choice: EngineChoice = 'auto'): CryptoEngine | undefined {
  if (choice !== 'webcrypto') {
    if (nodeEngine === undefined) {
      const mods = loadNodeCrypto();
      nodeEngine = mods ? createNodeEngine(...mods) : null;
    }
    if (nodeEngine) return nodeEngine;
    if (choice === 'node') return undefined;
  }
  return (webEngine ??= createWebCryptoEngine());
}
