/**
 * The `node` crypto engine: synchronous `node:crypto` (Node, Bun, Deno).
 *
 * Iron is AES-256-CBC then HMAC-SHA-256. The obvious implementation creates
 * an OpenSSL context per operation (`createCipheriv`, `createHmac`); on
 * OpenSSL 3 each creation fetches the algorithm, allocates and initialises a
 * context and a JS wrapper that the garbage collector must finalise. Inside a
 * busy HTTP server, where the kernel's network stack evicts those structures
 * from the caches between requests, that setup cost several times the
 * encryption itself. So each derived key keeps its contexts instead:
 *
 * - **AES-256-CBC, one long-lived context per key and direction.** CBC
 *   chains each block through the previous ciphertext block, and a context
 *   fed several `update()` calls treats them as one message, so after a
 *   message it holds that message's last ciphertext block `L` as its chaining
 *   value. To encrypt the next message under a fresh `IV`, its first block is
 *   fed as `P₁ ⊕ IV ⊕ L`: the context computes `E(P₁ ⊕ IV ⊕ L ⊕ L) =
 *   E(P₁ ⊕ IV)`, exactly CBC under `IV`, and the remaining blocks chain
 *   inside OpenSSL as usual. Decryption is the mirror image: the context
 *   outputs `D(C₁) ⊕ L`, and `⊕ L ⊕ IV` turns that into `P₁`. Padding
 *   (PKCS#7) is added and checked here, with OpenSSL's own padding off.
 *   The output is byte for byte `createCipheriv('aes-256-cbc', key, iv)`.
 * - **HMAC-SHA-256 from two one-shot hashes** (`crypto.hash`, no context
 *   object at all): `H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m))` with the padded keys
 *   computed once per key (RFC 2104 §2). PERF: bench/README.md "Peer
 *   benchmark" and its predecessor's "OpenSSL context set-up": a
 *   `createHmac` context per MAC costs more than both hashes together.
 *
 * Both are checked once, when the engine is created, against
 * `createCipheriv`/`createDecipheriv`/`createHmac` on test messages (two in a
 * row under different IVs, so the chaining is exercised). A runtime whose
 * `node:crypto` does not behave like OpenSSL's (padding off, streaming
 * updates), or that has no `crypto.hash`, gets the per-operation
 * implementation instead: same output, slower.
 *
 * Only synchronous JavaScript touches a context between two of its own
 * calls, so no other seal can interleave; a context whose call threw is
 * discarded and made anew.
 *
 * Why node:crypto costs more inside a server than in a loop: every call that
 * returns a `Buffer` (`hash(..., 'buffer')`, `update`, `digest`) has it made
 * by C++ with its own malloc'ed backing store, which V8 accounts as external
 * memory and frees only when a collection sweeps it. A loop reuses hot
 * allocator and cache lines; a server doing other work per request pays for
 * the allocation, the accounting and the extra scavenges. (sodium-native,
 * by contrast, writes into buffers its caller allocated from Node's pool.)
 * So the HMAC hands its inner digest over as a one-byte string (V8's own
 * heap) and returns the outer digest as base64url text ({@link
 * CryptoEngine.macText}); a verify given the digest as text writes both
 * digests into two fixed 32-byte buffers for `timingSafeEqual`. No digest `Buffer` is made at all.
 *
 * @module
 * @internal
 */
import type * as NodeCrypto from 'node:crypto';
import type { CryptoEngine, EngineKey } from './engine';

type NodeCryptoModule = typeof NodeCrypto;

const BLOCK = 16;
/** SHA-256's block size, the length HMAC pads its key to (RFC 2104 §2). */
const HASH_BLOCK = 64;
const DIGEST = 32;

/** The node engine's key for one usage: the raw bytes, and what is built from them once. */
interface AesKey {
  readonly raw: Uint8Array;
  encryptor?: ChainedCbc | undefined;
  decryptor?: ChainedCbc | undefined;
}

interface MacKey {
  readonly raw: Uint8Array;
  /** `K ⊕ ipad` followed by room for the message (grown as needed). */
  inner: Uint8Array;
  /** `K ⊕ opad` followed by room for the inner digest. */
  readonly outer: Uint8Array;
}

/** A long-lived CBC context and the chaining value it holds (the last ciphertext block it saw). */
interface ChainedCbc {
  readonly context: NodeCrypto.Cipher | NodeCrypto.Decipher;
  readonly last: Uint8Array;
}

type BufferModule = typeof import('node:buffer');

/**
 * The one switch for the long-lived AES-256-CBC contexts (module comment).
 * `false`: one `createCipheriv`/`createDecipheriv` per operation (the HMAC
 * stays hash-built either way).
 *
 * PERF: `node bench/peers/in-server.mjs` (`cbcll` against `gcm`: a context per
 * operation costs 3x the long-lived one's update, in a server and in a loop)
 * and bench/README.md "Peer benchmark", `LONG_LIVED_CBC`: AES-256-CBC of a
 * 224-byte session, per-operation context 4.7 µs vs long-lived 1.4 µs of CPU
 * per call (Node 20.20, OpenSSL 3), twice per round trip.
 */
export const LONG_LIVED_CBC = true;

/** Build the node engine, with the long-lived contexts if this runtime's node:crypto passes the self-test. */
export function createNodeEngine(c: NodeCryptoModule, { Buffer }: BufferModule, longLivedCbc: boolean = LONG_LIVED_CBC): CryptoEngine {
  const pbkdf2 = ((password, salt, iterations, hash) =>
    iterations > 1000
      ? new Promise<Uint8Array>((resolve, reject) =>
          // Long stretches run on the thread pool so they never block the event loop.
          c.pbkdf2(password, salt, iterations, 32, hash === 'SHA-1' ? 'sha1' : 'sha256', (err, key) =>
            err ? reject(err) : resolve(key),
          ),
        )
      : c.pbkdf2Sync(password, salt, iterations, 32, hash === 'SHA-1' ? 'sha1' : 'sha256')) satisfies CryptoEngine['pbkdf2'];

  const slow = perOperation(c, Buffer);
  const fast = longLived(c, Buffer);
  const mixed = fast && !longLivedCbc ? { ...fast, importKey: mixedImport(slow, fast), encrypt: slow.encrypt, decrypt: slow.decrypt } : fast;
  const chosen = mixed && selfTest(c, Buffer, mixed) ? mixed : slow;
  return { kind: 'node', pbkdf2, ...chosen };
}

/** Per-operation AES keys with hash-built HMAC keys (`LONG_LIVED_CBC` off). */
function mixedImport(slow: Primitives, fast: Primitives): Primitives['importKey'] {
  return (raw, usage) => (usage === 'encrypt' ? slow.importKey(raw, usage) : fast.importKey(raw, usage));
}

type Primitives = Pick<CryptoEngine, 'importKey' | 'encrypt' | 'decrypt' | 'sign' | 'verify'> &
  Required<Pick<CryptoEngine, 'macText'>>;

/** One OpenSSL context per operation: the reference behaviour, and the fallback. */
function perOperation(c: NodeCryptoModule, Buffer: BufferModule['Buffer']): Primitives {
  const join = (head: Uint8Array, tail: Uint8Array): Uint8Array => (tail.length === 0 ? head : Buffer.concat([head, tail]));
  const hmac = (key: EngineKey, data: Uint8Array | string) =>
    c.createHmac('sha256', key as NodeCrypto.KeyObject).update(data).digest();
  const verify = (key: EngineKey, data: Uint8Array | string, mac: Uint8Array | string) => {
    const expected = hmac(key, data);
    const given = typeof mac === 'string' ? Buffer.from(mac, 'base64url') : mac;
    return expected.length === given.length && c.timingSafeEqual(expected, given);
  };
  return {
    macText: (key, data) => c.createHmac('sha256', key as NodeCrypto.KeyObject).update(data).digest('base64url'),
    importKey: (raw) => c.createSecretKey(raw),
    encrypt(key, iv, plaintext) {
      const cipher = c.createCipheriv('aes-256-cbc', key as NodeCrypto.KeyObject, iv);
      const head = typeof plaintext === 'string' ? cipher.update(plaintext, 'utf8') : cipher.update(plaintext);
      return join(head, cipher.final());
    },
    decrypt(key, iv, ciphertext) {
      const decipher = c.createDecipheriv('aes-256-cbc', key as NodeCrypto.KeyObject, iv);
      const head = decipher.update(ciphertext);
      return join(head, decipher.final());
    },
    sign: hmac,
    verify,
  };
}

/** Long-lived CBC contexts and hash-built HMAC (see the module comment), or `undefined` without `crypto.hash`. */
function longLived(c: NodeCryptoModule, Buffer: BufferModule['Buffer']): Primitives | undefined {
  const hash = (c as unknown as { hash?: OneShotHash }).hash;
  if (typeof hash !== 'function') return undefined;
  /** The two digests a verify compares, written into fixed buffers: `timingSafeEqual` needs bytes, not new Buffers. */
  const expectedDigest = Buffer.alloc(DIGEST);
  const givenDigest = Buffer.alloc(DIGEST);
  const ZERO_IV = new Uint8Array(BLOCK);
  /** Scratch space for padded plaintext; only used within one synchronous call. */
  let scratch = Buffer.allocUnsafe(1024);

  const chained = (raw: Uint8Array, encrypting: boolean): ChainedCbc => {
    const context = encrypting ? c.createCipheriv('aes-256-cbc', raw, ZERO_IV) : c.createDecipheriv('aes-256-cbc', raw, ZERO_IV);
    context.setAutoPadding(false);
    // The chaining value starts as the IV given above: zero.
    return { context, last: new Uint8Array(BLOCK) };
  };

  /** Run `update` on a context, dropping the context if it throws so that its chaining value is never guessed at. */
  const update = (key: AesKey, encrypting: boolean, input: Uint8Array): Uint8Array => {
    const cbc = encrypting ? (key.encryptor ??= chained(key.raw, true)) : (key.decryptor ??= chained(key.raw, false));
    try {
      const out = cbc.context.update(input);
      if (out.length !== input.length) throw new Error('sealed-session: a CBC context held back data');
      return out;
    } catch (err) {
      if (encrypting) key.encryptor = undefined;
      else key.decryptor = undefined;
      throw err;
    }
  };

  /** `K ⊕ opad ‖ H((K ⊕ ipad) ‖ m)`, ready in `k.outer` for the outer hash. */
  const innerHash = (key: EngineKey, data: Uint8Array | string): MacKey => {
    const k = key as MacKey;
    const length = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.length;
    if (k.inner.length < HASH_BLOCK + length) {
      const grown = Buffer.allocUnsafe(HASH_BLOCK + Math.max(length, 2 * (k.inner.length - HASH_BLOCK)));
      grown.set(k.inner.subarray(0, HASH_BLOCK));
      k.inner = grown;
    }
    const inner = k.inner as InstanceType<BufferModule['Buffer']>;
    if (typeof data === 'string') inner.write(data, HASH_BLOCK, 'utf8');
    else inner.set(data, HASH_BLOCK);
    // PERF: `node bench/peers/in-server.mjs` (`buf` against `str`) and bench/README.md "Peer benchmark": the inner
    // digest as a one-byte string, not a Buffer (HMAC of a 400-byte token 3.6 -> 1.7 µs of CPU with the base64url
    // output of macText; 4 hashes in a server 17.8 -> 10.6 µs).
    (k.outer as InstanceType<BufferModule['Buffer']>).write(hash('sha256', inner.subarray(0, HASH_BLOCK + length), 'latin1'), HASH_BLOCK, 'latin1');
    return k;
  };
  const sign = (key: EngineKey, data: Uint8Array | string): Uint8Array => hash('sha256', innerHash(key, data).outer, 'buffer');

  return {
    importKey(raw, usage): AesKey | MacKey {
      // A copy: the caller's bytes may be reused or wiped.
      const bytes = Buffer.from(raw);
      if (usage === 'encrypt') {
        if (bytes.length !== 32) throw new RangeError('sealed-session: AES-256 needs a 32-byte key');
        return { raw: bytes };
      }
      // RFC 2104 §2: a key longer than the block is hashed first, a shorter one padded with zeros.
      const k = bytes.length > HASH_BLOCK ? hash('sha256', bytes, 'buffer') : bytes;
      const inner = Buffer.alloc(HASH_BLOCK + 256, 0x36);
      const outer = Buffer.alloc(HASH_BLOCK + DIGEST, 0x5c);
      for (let i = 0; i < k.length; i++) {
        inner[i]! ^= k[i]!;
        outer[i]! ^= k[i]!;
      }
      return { raw: bytes, inner, outer };
    },

    encrypt(key, iv, plaintext) {
      const length = typeof plaintext === 'string' ? Buffer.byteLength(plaintext, 'utf8') : plaintext.length;
      // PKCS#7: 1 to 16 bytes, each holding the pad length.
      const pad = BLOCK - (length % BLOCK);
      const total = length + pad;
      if (scratch.length < total) scratch = Buffer.allocUnsafe(Math.max(total, 2 * scratch.length));
      if (typeof plaintext === 'string') scratch.write(plaintext, 0, 'utf8');
      else scratch.set(plaintext, 0);
      scratch.fill(pad, length, total);
      const k = key as AesKey;
      const last = (k.encryptor ??= chained(k.raw, true)).last;
      for (let i = 0; i < BLOCK; i++) scratch[i]! ^= iv[i]! ^ last[i]!;
      const out = update(k, true, scratch.subarray(0, total));
      k.encryptor!.last.set(out.subarray(total - BLOCK));
      return out;
    },

    decrypt(key, iv, ciphertext) {
      const length = ciphertext.length;
      if (length === 0 || length % BLOCK !== 0) throw new RangeError('sealed-session: ciphertext is not whole AES blocks');
      const k = key as AesKey;
      const cbc = (k.decryptor ??= chained(k.raw, false));
      const last = cbc.last;
      const out = update(k, false, ciphertext);
      for (let i = 0; i < BLOCK; i++) out[i]! ^= last[i]! ^ iv[i]!;
      cbc.last.set(ciphertext.subarray(length - BLOCK));
      // PKCS#7 check. The MAC has already verified (iron is encrypt-then-MAC),
      // so nothing here can serve as a padding oracle.
      const pad = out[length - 1]!;
      if (pad < 1 || pad > BLOCK) throw new RangeError('sealed-session: bad padding');
      for (let i = length - pad; i < length; i++) if (out[i] !== pad) throw new RangeError('sealed-session: bad padding');
      return out.subarray(0, length - pad);
    },

    sign,
    verify(key, data, mac) {
      // Given as text (iron's digest field), it is decoded into a fixed buffer: no Buffer per digest.
      if (typeof mac === 'string' ? givenDigest.write(mac, 0, 'base64url') !== DIGEST : mac.length !== DIGEST) return false;
      if (typeof mac !== 'string') givenDigest.set(mac);
      expectedDigest.write(hash('sha256', innerHash(key, data).outer, 'latin1'), 0, 'latin1');
      return c.timingSafeEqual(expectedDigest, givenDigest);
    },
    macText: (key, data) => hash('sha256', innerHash(key, data).outer, 'base64url'),
  };
}

/** `crypto.hash` (Node 20.12+, Bun, Deno): one native call, no context object. */
interface OneShotHash {
  (algorithm: string, data: Uint8Array, encoding: 'buffer'): Uint8Array;
  (algorithm: string, data: Uint8Array, encoding: 'latin1' | 'base64url'): string;
}

/**
 * Do the long-lived primitives agree with the per-operation ones on this
 * runtime? Two messages in a row under different IVs (the second exercises
 * the chaining), lengths on and off the block boundary, an HMAC key shorter
 * and one longer than the hash block.
 */
function selfTest(c: NodeCryptoModule, Buffer: BufferModule['Buffer'], fast: Primitives): boolean {
  // Fixed inputs: a self-test needs no randomness (and the library draws random bytes in one place only).
  const pattern = (length: number, seed: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed) & 255));
  try {
    const aesRaw = pattern(32, 7);
    const aes = fast.importKey(aesRaw, 'encrypt');
    for (const [n, text] of ['{"a":1}', 'x'.repeat(32), '\u00e9'.repeat(40)].entries()) {
      const iv = pattern(BLOCK, n);
      const reference = c.createCipheriv('aes-256-cbc', aesRaw, iv);
      const expected = Buffer.concat([reference.update(text, 'utf8'), reference.final()]);
      if (!expected.equals(fast.encrypt(aes, iv, text) as Uint8Array)) return false;
      const opened = fast.decrypt(aes, iv, expected) as Uint8Array;
      if (Buffer.from(opened).toString('utf8') !== text) return false;
    }
    for (const macRaw of [pattern(32, 1), pattern(100, 2)]) {
      const mac = fast.importKey(macRaw, 'mac');
      const data = 'Fe26.2*1*' + 'a'.repeat(300);
      const expected = c.createHmac('sha256', macRaw).update(data).digest();
      if (!expected.equals(fast.sign(mac, data) as Uint8Array)) return false;
      if (fast.verify(mac, Buffer.from(data), expected) !== true) return false;
      if (fast.macText(mac, data) !== expected.toString('base64url')) return false;
      if (fast.verify(mac, data, expected.toString('base64url')) !== true) return false;
    }
    return true;
  } catch {
    return false;
  }
}
