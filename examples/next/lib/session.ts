/**
 * The app's one session store, shared by route handlers, server actions,
 * server components and the proxy.
 */
import { z } from 'zod';
import { CookieSessionStore } from '../../../src/index';
import { fromIronSession } from '../../../src/iron-session/index';

/** For `next dev` only: set SESSION_SECRET (32+ random characters) everywhere else. */
const DEV_SECRET = 'dev-only-secret-for-the-next-example-0123456789';

/** What a session holds. A fresh session is the result of validating `{}`. */
export const sessionSchema = z.object({
  userId: z.string().min(1).optional(),
  count: z.number().int().default(0),
  visitedViaMiddleware: z.number().int().default(0),
  /** Set by the conformance checklist's routes (app/conformance). */
  note: z.string().optional(),
});

/**
 * `secure: false` because the example (and its tests) run over http://127.0.0.1.
 * With IRON_SESSION_PASSWORD set, an iron-session cookie `myapp_session` is
 * read and converted on the first commit (docs/migrate-from-iron-session.md).
 */
export const store = new CookieSessionStore({
  keys: process.env.SESSION_SECRET ?? DEV_SECRET,
  schema: sessionSchema,
  cookie: { name: 'sid', secure: false },
  ...(process.env.IRON_SESSION_PASSWORD && { legacy: fromIronSession({ cookieName: 'myapp_session', password: process.env.IRON_SESSION_PASSWORD }) }),
});
