/**
 * The app's session storage. With React Router's own cookie sessions this
 * file was `createCookieSessionStorage({ cookie: createCookie('sid', …) })`;
 * the routes import the same three functions either way.
 */
import { CookieSessionStore } from 'sealed-session';
import { createSealedSessionStorage } from 'sealed-session/react-router';
import type { SessionStorage } from 'react-router';
import { z } from 'zod';

export const schema = z.object({
  user: z.string().min(1).optional(),
  count: z.number().int().default(0),
  note: z.string().optional(),
});

export const store = new CookieSessionStore({
  keys: process.env.SESSION_SECRET ?? 'dev-only-secret-for-the-react-router-example-0123',
  schema,
  // http://127.0.0.1 in the tests; keep the default (secure) in production.
  cookie: { name: 'sid', secure: process.env.INSECURE_COOKIES !== '1' },
  // commitSession returns one Set-Cookie value, so the session must fit one cookie.
  maxChunks: 1,
});

const storage = createSealedSessionStorage<typeof schema, { notice: string }>(store);

/** What React Router's own storages are; the type checker holds this one to it. */
export const sessionStorage: SessionStorage<z.output<typeof schema>, { notice: string }> = storage;
export const { getSession, commitSession, destroySession, sealed } = storage;
