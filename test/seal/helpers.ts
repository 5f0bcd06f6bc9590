/**
 * Shared fixtures for the seal tests: secrets, the two engines, a way to
 * capture a rejection's code, and an independent token builder written
 * straight against node:crypto (so the tests do not trust src/seal to check
 * itself).
 */
import * as nodeCrypto from 'node:crypto';
import { expect } from 'vitest';
import { SessionError, type SessionErrorCode } from '../../src/errors';
import { createKeyRing, type KeyRing, type KeyRingOptions, type Keys } from '../../src/seal/keys';

import { RAW_32, SEAL_SECRETS } from '../fixtures';

/** Distinctive secrets (test/fixtures.ts), so a test can assert they never leak into a message. */
export const [SECRET, SECRET_2, SECRET_3] = SEAL_SECRETS;
export { RAW_32 };

export type EngineName = 'node' | 'webcrypto';

/** The two engines, as `describe.each` rows: the default (node) and forced WebCrypto. */
export const ENGINES: ReadonlyArray<{ engine: EngineName; options: KeyRingOptions }> = [
  { engine: 'node', options: {} },
  { engine: 'webcrypto', options: { crypto: 'webcrypto' } },
];

export function ring(keys: Keys, options: KeyRingOptions = {}): KeyRing {
  return createKeyRing(keys, options);
}

/** The SessionError a promise rejects with (fails the test when it resolves or throws anything else). */
export async function rejection(promise: Promise<unknown>): Promise<SessionError> {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof SessionError)) {
      throw new Error(`expected a SessionError, got ${String(err)}`, { cause: err });
    }
    return err;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** The SessionError a synchronous call throws. */
export function thrown(fn: () => unknown): SessionError {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof SessionError)) {
      throw new Error(`expected a SessionError, got ${String(err)}`, { cause: err });
    }
    return err;
  }
  throw new Error('expected a throw, but the call returned');
}

export async function expectCode(promise: Promise<unknown>, code: SessionErrorCode): Promise<SessionError> {
  const err = await rejection(promise);
  expect(err.code).toBe(code);
  return err;
}

/** The eight components of an iron token, by name. */
export interface Parts {
  prefix: string;
  id: string;
  encSalt: string;
  iv: string;
  ciphertext: string;
  expiration: string;
  macSalt: string;
  mac: string;
}

export const PART_NAMES = ['prefix', 'id', 'encSalt', 'iv', 'ciphertext', 'expiration', 'macSalt', 'mac'] as const;

export function split(token: string): Parts {
  const p = token.split('*');
  expect(p).toHaveLength(8);
  const [prefix, id, encSalt, iv, ciphertext, expiration, macSalt, mac] = p as [
    string, string, string, string, string, string, string, string,
  ];
  return { prefix, id, encSalt, iv, ciphertext, expiration, macSalt, mac };
}

export function join(p: Parts): string {
  return PART_NAMES.map((name) => p[name]).join('*');
}

/** Replace one component and rebuild the token (the MAC is not recomputed). */
export function withPart(token: string, name: keyof Parts, value: string): string {
  return join({ ...split(token), [name]: value });
}

const b64u = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

export interface CraftOptions {
  /** Token id component. Default `''`. */
  id?: string;
  /** Expiration component, ms (or raw text). Default none. */
  expiration?: number | string;
  /** Encrypt without PKCS#7 padding (plaintext must be a multiple of 16 bytes). */
  noPadding?: boolean;
  iv?: Uint8Array;
}

/**
 * Build an authentic iron token from scratch with node:crypto, following the
 * published format: PBKDF2-SHA1 (1 iteration) over the salt's hex text for a
 * string password, the raw bytes (empty salts) for a 32-byte key.
 */
export function craftToken(password: string | Uint8Array, plaintext: Uint8Array | string, opts: CraftOptions = {}): string {
  const raw = typeof password !== 'string';
  const encSalt = raw ? '' : nodeCrypto.randomBytes(32).toString('hex');
  const macSalt = raw ? '' : nodeCrypto.randomBytes(32).toString('hex');
  const derive = (salt: string) => (raw ? Buffer.from(password) : nodeCrypto.pbkdf2Sync(password, salt, 1, 32, 'sha1'));
  const iv = opts.iv ?? nodeCrypto.randomBytes(16);
  const cipher = nodeCrypto.createCipheriv('aes-256-cbc', derive(encSalt), iv);
  if (opts.noPadding) cipher.setAutoPadding(false);
  const ct = Buffer.concat([cipher.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), cipher.final()]);
  const base = `Fe26.2*${opts.id ?? ''}*${encSalt}*${b64u(iv)}*${b64u(ct)}*${opts.expiration ?? ''}`;
  const mac = nodeCrypto.createHmac('sha256', derive(macSalt)).update(base).digest();
  return `${base}*${macSalt}*${b64u(mac)}`;
}

/** A random lower-case hex string of `bytes` bytes. */
export function randomHex(bytes: number): string {
  return nodeCrypto.randomBytes(bytes).toString('hex');
}

/** Deterministic PRNG for reproducible garbage. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
