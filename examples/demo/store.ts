/**
 * The demo's session: its schema and the store that seals it into cookies.
 *
 * @module
 */
import { z } from 'zod';
import { CookieSessionStore } from '../../src/index';

/** One cart line; about 60 bytes of JSON, so ten of them grow the cookie quickly. */
const item = z.object({
  sku: z.string().max(16),
  title: z.string().max(40),
  qty: z.number().int().min(1).max(99),
});

/** The longest name accepted at sign-in. */
export const MAX_NAME_LENGTH = 40;

/** What the demo keeps in its session. Every field has a default, so `{}` is a valid fresh session. */
export const demoSchema = z.object({
  user: z.string().min(1).max(MAX_NAME_LENGTH).optional(),
  count: z.number().int().min(0).default(0),
  cart: z.array(item).default([]),
});

/** The demo's flash values: a notice shown once after a redirect (typed flash: `takeFlash('notice')` is a string). */
export const demoFlashSchema = z.object({ notice: z.string().max(200) }).partial();

export type DemoState = z.output<typeof demoSchema>;
export type DemoFlash = z.output<typeof demoFlashSchema>;
export type CartItem = z.output<typeof item>;

/** Cookie name with Secure on: the `__Host-` prefix makes the browser insist on Secure, Path=/ and no Domain. */
export const SECURE_COOKIE_NAME = '__Host-demo';
/** Cookie name without Secure (prefixed names require it). */
export const PLAIN_COOKIE_NAME = 'demo';

/** Budget of the demo: up to 3 cookies and 12000 octets of them in each request. */
export const MAX_CHUNKS = 3;
export const MAX_BYTES = 12_000;

export interface DemoStoreOptions {
  /** At least 32 characters. */
  readonly secret: string;
  /**
   * `true`: `__Host-demo` with Secure. Browsers store it from https and from
   * http://localhost (Chromium and Firefox treat localhost as secure).
   * `false`: `demo` without Secure, for plain http on another host name.
   */
  readonly secure: boolean;
  /**
   * Compress the state before sealing (`compress: true`): the repetitive cart
   * shrinks about tenfold, so 140 items fit one cookie instead of three. Both
   * stores read both forms, so the demo switches between them per browser.
   */
  readonly compress?: boolean;
}

/** The demo's store: ttl 8 hours, idle timeout 30 minutes, up to 3 chunks. */
export function createDemoStore(options: DemoStoreOptions): CookieSessionStore<typeof demoSchema, typeof demoFlashSchema> {
  return new CookieSessionStore({
    keys: options.secret,
    schema: demoSchema,
    flashSchema: demoFlashSchema,
    compress: options.compress ?? false,
    cookie: options.secure ? { name: SECURE_COOKIE_NAME, secure: true } : { name: PLAIN_COOKIE_NAME, secure: false },
    ttl: 8 * 60 * 60,
    idleTimeout: 30 * 60,
    maxChunks: MAX_CHUNKS,
    maxBytes: MAX_BYTES,
  });
}

const PRODUCTS = [
  'Ceramic mug, teal glaze',
  'Linen tea towel, striped',
  'Beeswax candle, tall',
  'Notebook, dotted A5',
  'Walnut spoon, hand carved',
] as const;

/** `count` new cart items, numbered on from `start`, each about 60 bytes of JSON. */
export function newItems(start: number, count: number): CartItem[] {
  return Array.from({ length: count }, (_, i) => {
    const n = start + i + 1;
    return { sku: `SKU-${String(n).padStart(5, '0')}`, title: PRODUCTS[n % PRODUCTS.length]!, qty: 1 + (n % 3) };
  });
}
