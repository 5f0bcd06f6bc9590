import { sequence, type Handle } from '@sveltejs/kit/hooks';
import { sealedSession } from 'sealed-session/sveltekit';
import { store } from '#lib/server/session.ts';

/** The session on `event.locals.session`, committed onto every response; a state too large for the cookies gets the app's 413. */
const session: Handle = sealedSession(store, {
  onError: (error) => Response.json({ error: error.code }, { status: error.code === 'ERR_SESSION_TOO_LARGE' ? 413 : 500 }),
});

/** A second hook for the same request (in a sequence) keeps the first's session. */
export const handle: Handle = sequence(session, sealedSession(store));
