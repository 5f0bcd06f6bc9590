import { CookieSessionStore } from 'sealed-session';
import { z } from 'zod';

export const store = new CookieSessionStore({
  keys: process.env.SESSION_SECRET ?? 'dev-only-secret-for-the-astro-example-0123456789',
  schema: z.object({
    user: z.string().min(1).optional(),
    count: z.number().int().default(0),
    note: z.string().optional(),
  }),
  // http://127.0.0.1 in the tests; keep the default (secure) in production.
  cookie: { name: 'sid', secure: process.env.INSECURE_COOKIES !== '1' },
});
