import type { MiddlewareHandler } from 'astro';
import { sequence } from 'astro:middleware';
import { sealedSession } from 'sealed-session/astro';
import { store } from './session';

/** The session on `context.locals.session`, committed onto every response; a state too large for the cookies gets the app's 413. */
const session: MiddlewareHandler = sealedSession(store, {
  onError: (error) => Response.json({ error: error.code }, { status: error.code === 'ERR_SESSION_TOO_LARGE' ? 413 : 500 }),
});

/** A second middleware for the same request (in a sequence) keeps the first's session. */
export const onRequest = sequence(session, sealedSession(store));
