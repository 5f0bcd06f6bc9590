/**
 * The node engine's long-lived AES-CBC contexts and hash-built HMAC must be
 * indistinguishable from one OpenSSL context per operation: same bytes out,
 * in any order of keys, IVs and lengths, after errors too. Where a runtime's
 * node:crypto cannot do it, the engine must fall back, not seal wrongly.
 */
import * as nodeBuffer from 'node:buffer';
import * as realCrypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { CryptoEngine, EngineKey } from '../../src/seal/engine';
import { LONG_LIVED_CBC, createNodeEngine } from '../../src/seal/node-engine';

const RUNS = Math.max(1, Number.parseInt(process.env.FUZZ_RUNS ?? '', 10) || 200);

type CryptoModule = typeof realCrypto;

/** A copy of node:crypto whose context constructors are counted. */
function counted(overrides: Partial<CryptoModule> = {}) {
  const module = { ...realCrypto, ...overrides } as CryptoModule;
  const createCipheriv = vi.fn(module.createCipheriv);
  const createDecipheriv = vi.fn(module.createDecipheriv);
  const createHmac = vi.fn(module.createHmac);
  return { module: { ...module, createCipheriv, createDecipheriv, createHmac } as unknown as CryptoModule, createCipheriv, createDecipheriv, createHmac };
}

function referenceEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: string | Uint8Array): Buffer {
  const cipher = realCrypto.createCipheriv('aes-256-cbc', key, iv);
  const head = typeof plaintext === 'string' ? cipher.update(plaintext, 'utf8') : cipher.update(plaintext);
  return Buffer.concat([head, cipher.final()]);
}

const referenceMac = (key: Uint8Array, data: string | Uint8Array) => realCrypto.createHmac('sha256', key).update(data).digest();

const bytes = (value: unknown) => Buffer.from(value as Uint8Array);

/** Text on and around AES block boundaries, multi-byte characters included. */
const plaintext = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 70 }),
  fc.integer({ min: 0, max: 80 }).map((n) => 'x'.repeat(n)),
  fc.uint8Array({ maxLength: 90 }),
);

describe('long-lived AES-256-CBC contexts', () => {
  const engine = createNodeEngine(realCrypto, nodeBuffer);
  const raws = [realCrypto.randomBytes(32), realCrypto.randomBytes(32), realCrypto.randomBytes(32)];
  const keys = raws.map((raw) => engine.importKey(raw, 'encrypt') as EngineKey);

  it('produce createCipheriv’s bytes for any sequence of keys, IVs and messages, and decrypt them back', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.integer({ min: 0, max: 2 }), iv: fc.uint8Array({ minLength: 16, maxLength: 16 }), text: plaintext, open: fc.boolean() }), {
          minLength: 1,
          maxLength: 12,
        }),
        (steps) => {
          for (const { key, iv, text, open } of steps) {
            const expected = referenceEncrypt(raws[key]!, iv, text);
            expect(bytes(engine.encrypt(keys[key]!, iv, text))).toEqual(expected);
            // Decrypting interleaved with encrypting, on the same key, in any order.
            if (open) expect(bytes(engine.decrypt(keys[key]!, iv, expected))).toEqual(typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text));
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('decrypt tokens they did not encrypt, one after another under different IVs', () => {
    const texts = ['{"a":1}', 'y'.repeat(16), 'z'.repeat(100), ''];
    const sealed = texts.map((text) => {
      const iv = realCrypto.randomBytes(16);
      return { text, iv, ciphertext: referenceEncrypt(raws[0]!, iv, text) };
    });
    for (const round of [0, 1]) {
      for (const { text, iv, ciphertext } of round === 0 ? sealed : [...sealed].reverse()) {
        expect(bytes(engine.decrypt(keys[0]!, iv, ciphertext)).toString('utf8')).toBe(text);
      }
    }
  });

  it('refuse bad padding and partial blocks, and keep decrypting correctly afterwards', () => {
    const iv = realCrypto.randomBytes(16);
    const good = referenceEncrypt(raws[1]!, iv, 'hello');
    // A last byte of 0 or > 16 cannot be PKCS#7: flip the last plaintext byte through the previous block.
    const badPad = Buffer.from(referenceEncrypt(raws[1]!, iv, 'x'.repeat(16)));
    const tamperedIv = Buffer.from(iv);
    tamperedIv[15]! ^= 0xff;
    const oneBlock = referenceEncrypt(raws[1]!, iv, 'abc'); // pad byte 13
    expect(() => engine.decrypt(keys[1]!, tamperedIv, oneBlock)).toThrow(/padding/);
    expect(() => engine.decrypt(keys[1]!, iv, badPad.subarray(0, 16))).toThrow(/padding/); // a block of 'x' ends in 0x78
    expect(() => engine.decrypt(keys[1]!, iv, good.subarray(0, 15))).toThrow(/blocks/);
    expect(() => engine.decrypt(keys[1]!, iv, new Uint8Array(0))).toThrow(/blocks/);
    expect(bytes(engine.decrypt(keys[1]!, iv, good)).toString()).toBe('hello');
  });

  it('create one context per key and direction, not one per operation', () => {
    const { module, createCipheriv, createDecipheriv } = counted();
    const own = createNodeEngine(module, nodeBuffer);
    createCipheriv.mockClear();
    createDecipheriv.mockClear();
    const key = own.importKey(raws[2]!, 'encrypt');
    for (let i = 0; i < 5; i++) {
      const iv = realCrypto.randomBytes(16);
      const sealed = own.encrypt(key, iv, `message ${i}`) as Uint8Array;
      expect(bytes(own.decrypt(key, iv, sealed)).toString()).toBe(`message ${i}`);
    }
    expect(createCipheriv).toHaveBeenCalledTimes(1);
    expect(createDecipheriv).toHaveBeenCalledTimes(1);
  });

  it('drop a context whose call threw and build a fresh one (no guessed chaining value)', () => {
    let failNext = false;
    const { module, createCipheriv } = counted({
      createCipheriv: ((...args: Parameters<CryptoModule['createCipheriv']>) => {
        const cipher = realCrypto.createCipheriv(...args);
        const update = cipher.update.bind(cipher) as (data: Uint8Array) => Buffer;
        (cipher as { update: unknown }).update = (data: Uint8Array) => {
          if (failNext) {
            failNext = false;
            update(data); // the context has moved on before failing
            throw new Error('simulated failure');
          }
          return update(data);
        };
        return cipher;
      }) as CryptoModule['createCipheriv'],
    });
    const own = createNodeEngine(module, nodeBuffer);
    const key = own.importKey(raws[0]!, 'encrypt');
    const iv = realCrypto.randomBytes(16);
    own.encrypt(key, iv, 'first');
    createCipheriv.mockClear();
    failNext = true;
    expect(() => own.encrypt(key, iv, 'second')).toThrow('simulated failure');
    expect(bytes(own.encrypt(key, iv, 'third'))).toEqual(referenceEncrypt(raws[0]!, iv, 'third'));
    expect(createCipheriv).toHaveBeenCalledTimes(1);
  });
});

describe('HMAC-SHA-256 from two hashes', () => {
  const engine = createNodeEngine(realCrypto, nodeBuffer);

  it('matches RFC 4231 test cases 2 and 6 (short key, key longer than the block)', () => {
    const jefe = engine.importKey(Buffer.from('Jefe'), 'mac');
    expect(bytes(engine.sign(jefe, 'what do ya want for nothing?')).toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    const long = engine.importKey(Buffer.alloc(131, 0xaa), 'mac');
    expect(bytes(engine.sign(long, 'Test Using Larger Than Block-Size Key - Hash Key First')).toString('hex')).toBe(
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });

  it('matches createHmac for any key and message, and verifies only the right digest', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 150 }),
        fc.oneof(fc.string({ unit: 'grapheme', maxLength: 600 }), fc.uint8Array({ maxLength: 600 })),
        fc.nat(31),
        (raw, data, flip) => {
          const key = engine.importKey(raw, 'mac');
          const expected = referenceMac(raw, data);
          expect(bytes(engine.sign(key, data))).toEqual(expected);
          expect(engine.verify(key, data, expected)).toBe(true);
          const wrong = Buffer.from(expected);
          wrong[flip]! ^= 1;
          expect(engine.verify(key, data, wrong)).toBe(false);
          expect(engine.verify(key, data, expected.subarray(0, 31))).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('gives the digest as canonical base64url text (macText) and checks such text with timingSafeEqual on 32 bytes', () => {
    const safeEqual = vi.fn(realCrypto.timingSafeEqual);
    const own = createNodeEngine({ ...realCrypto, timingSafeEqual: safeEqual } as CryptoModule, nodeBuffer);
    fc.assert(
      // Characters 0-41 only: the 43rd carries 2 unused bits, and the canonical-spelling check is iron.ts's (MAC_TEXT).
      fc.property(fc.uint8Array({ maxLength: 150 }), fc.string({ unit: 'grapheme', maxLength: 600 }), fc.nat(41), (raw, data, at) => {
        const key = own.importKey(raw, 'mac');
        const expected = referenceMac(raw, data).toString('base64url');
        expect(own.macText!(key, data)).toBe(expected);
        expect(own.verify(key, data, expected)).toBe(true);
        const wrong = expected.slice(0, at) + (expected[at] === 'A' ? 'B' : 'A') + expected.slice(at + 1);
        expect(own.verify(key, data, wrong)).toBe(false);
      }),
      { numRuns: RUNS },
    );
    expect(safeEqual).toHaveBeenCalled();
    for (const [a, b] of safeEqual.mock.calls as Array<[Uint8Array, Uint8Array]>) expect([a.length, b.length]).toEqual([32, 32]);
  });

  it('keeps working for a message far longer than its scratch space', () => {
    const raw = realCrypto.randomBytes(32);
    const key = engine.importKey(raw, 'mac');
    for (const length of [10, 5000, 20, 70_000, 30]) {
      const data = 'm'.repeat(length);
      expect(bytes(engine.sign(key, data))).toEqual(referenceMac(raw, data));
    }
  });
});

describe('the LONG_LIVED_CBC switch', () => {
  it('is on, and off gives one AES context per operation with the same bytes (HMAC still hash-built)', () => {
    expect(LONG_LIVED_CBC).toBe(true);
    const { module, createCipheriv, createDecipheriv, createHmac } = counted();
    const engine = createNodeEngine(module, nodeBuffer, false);
    createCipheriv.mockClear();
    createDecipheriv.mockClear();
    createHmac.mockClear();
    const raw = realCrypto.randomBytes(32);
    const aes = engine.importKey(raw, 'encrypt');
    const mac = engine.importKey(raw, 'mac');
    for (const text of ['a', 'b'.repeat(40), '']) {
      const iv = realCrypto.randomBytes(16);
      const sealed = engine.encrypt(aes, iv, text) as Uint8Array;
      expect(bytes(sealed)).toEqual(referenceEncrypt(raw, iv, text));
      expect(bytes(engine.decrypt(aes, iv, sealed)).toString()).toBe(text);
    }
    expect(createCipheriv).toHaveBeenCalledTimes(3);
    expect(createDecipheriv).toHaveBeenCalledTimes(3);
    expect(engine.macText!(mac, 'data')).toBe(referenceMac(raw, 'data').toString('base64url'));
    expect(createHmac).not.toHaveBeenCalled();
  });
});

describe('falling back to one context per operation', () => {
  function check(engine: CryptoEngine) {
    const raw = realCrypto.randomBytes(32);
    const aes = engine.importKey(raw, 'encrypt');
    const mac = engine.importKey(raw, 'mac');
    for (const text of ['a', 'b'.repeat(40)]) {
      const iv = realCrypto.randomBytes(16);
      const sealed = engine.encrypt(aes, iv, text) as Uint8Array;
      expect(bytes(sealed)).toEqual(referenceEncrypt(raw, iv, text));
      expect(bytes(engine.decrypt(aes, iv, sealed)).toString()).toBe(text);
    }
    expect(bytes(engine.sign(mac, 'data'))).toEqual(referenceMac(raw, 'data'));
    expect(engine.verify(mac, 'data', referenceMac(raw, 'data'))).toBe(true);
    expect(engine.macText!(mac, 'data')).toBe(referenceMac(raw, 'data').toString('base64url'));
    expect(engine.verify(mac, 'data', referenceMac(raw, 'data').toString('base64url'))).toBe(true);
    expect(engine.verify(mac, 'data', referenceMac(raw, 'datA').toString('base64url'))).toBe(false);
  }

  it('without crypto.hash (older runtimes)', () => {
    const { module, createCipheriv, createHmac } = counted({ hash: undefined } as unknown as Partial<CryptoModule>);
    const engine = createNodeEngine(module, nodeBuffer);
    createCipheriv.mockClear();
    check(engine);
    expect(createCipheriv).toHaveBeenCalledTimes(2); // one per encryption
    expect(createHmac).toHaveBeenCalled();
  });

  it('when a runtime’s contexts do not chain across updates (the self-test catches it)', () => {
    // A cipher that, with padding off, restarts from the IV on every update: streaming CBC broken.
    const { module, createCipheriv } = counted({
      createCipheriv: ((algorithm: string, key: Uint8Array, iv: Uint8Array) => {
        let cipher = realCrypto.createCipheriv(algorithm, key, iv);
        let padding = true;
        return {
          setAutoPadding(on: boolean) {
            padding = on;
            cipher.setAutoPadding(on);
            return this;
          },
          update(data: Uint8Array, encoding?: BufferEncoding) {
            const out = encoding ? cipher.update(data as unknown as string, encoding) : cipher.update(data);
            if (!padding) {
              cipher = realCrypto.createCipheriv(algorithm, key, iv);
              cipher.setAutoPadding(false);
            }
            return out;
          },
          final: () => cipher.final(),
        };
      }) as unknown as CryptoModule['createCipheriv'],
    });
    const engine = createNodeEngine(module, nodeBuffer);
    createCipheriv.mockClear();
    check(engine);
    expect(createCipheriv).toHaveBeenCalledTimes(2);
  });
});
