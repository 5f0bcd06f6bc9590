/**
 * What every benchmark shares: the secret, the ~130-byte state of
 * reference.md §5, and its zod schema.
 */
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
