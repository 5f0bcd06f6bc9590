/**
 * What every benchmark shares: the secret, the ~130-byte state of
 * reference.md §5, and its zod schema.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';

export const SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';

/** ~130 bytes of JSON: a typical signed-in session. */
export const STATE = {
  user: { id: 'u_123456', name: 'Ada Lovelace', roles: ['admin', 'editor'] },
  cart: [1, 2, 3],
  csrf: 'k2FzZGZqa2xhc2RmamtsYQ',
  theme: 'dark',
  count: 0,
};

export const schema = z.object({
  user: z.object({ id: z.string(), name: z.string(), roles: z.array(z.string()) }).optional(),
  cart: z.array(z.number()).default([]),
  csrf: z.string().optional(),
  theme: z.string().default('light'),
  count: z.number().default(0),
  blob: z.string().optional(),
});

export type State = z.output<typeof schema>;

// ---------------------------------------------------------------- the floor
// The least work a stateless encrypted session can do: synchronous node:crypto
// AES-256-GCM (one primitive for secrecy and integrity), JSON, and finding one
// cookie with indexOf. No schema, no TTL, no key ids, no chunking.
const GCM_KEY = randomBytes(32);
export function floorSeal(state: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', GCM_KEY, iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(state)), cipher.final()]);
  return `${iv.toString('base64url')}.${body.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
}
export function floorOpen(value: string): State {
  const [iv, body, tag] = value.split('.') as [string, string, string];
  const decipher = createDecipheriv('aes-256-gcm', GCM_KEY, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
  return JSON.parse(plain.toString('utf8')) as State;
}
export function floorCookie(header: string | null | undefined): string {
  const at = header?.indexOf('floor=') ?? -1;
  const end = header!.indexOf(';', at);
  return header!.slice(at + 6, end === -1 ? undefined : end);
}
export const floorSetCookie = (value: string): string => `floor=${value}; Max-Age=86400; Path=/; HttpOnly; Secure; SameSite=Lax`;
