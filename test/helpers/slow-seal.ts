/**
 * A key ring on the real WebCrypto engine whose seals can be held back on
 * purpose: `holdNextSeal()` makes the next seal (its AES encryption) finish
 * only when the returned `release()` is called. With it a test puts two
 * commits of one session in any completion order, as a slow `crypto.subtle`
 * could, and checks what the real response ends up carrying.
 */
import { createKeyRing, type KeyRing } from '../../src/index';
import type { CryptoEngine } from '../../src/seal/engine';

export interface SlowSeals {
  /** Pass as the store's `keys`. */
  readonly ring: KeyRing;
  /** Hold the next seal until `release()` (which may be called before the seal starts). */
  holdNextSeal(): () => void;
}

export function slowSeals(secret: string): SlowSeals {
  const ring = createKeyRing(secret, { crypto: 'webcrypto' });
  const key = (ring as unknown as { current: { engine: CryptoEngine } }).current;
  const engine = key.engine;
  const held: Array<Promise<void>> = [];
  const slowed: CryptoEngine = {
    ...engine,
    kind: engine.kind,
    encrypt: async (k, iv, plaintext) => {
      const gate = held.shift();
      const out = await engine.encrypt(k, iv, plaintext);
      if (gate) await gate;
      return out;
    },
  };
  // RingKey#engine is a plain property; the ring seals through it.
  Object.defineProperty(key, 'engine', { value: slowed });
  return {
    ring,
    holdNextSeal() {
      let release!: () => void;
      held.push(new Promise<void>((resolve) => (release = resolve)));
      return () => release();
    },
  };
}
