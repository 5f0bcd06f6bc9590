/**
 * The conformance checklist's routes (test/integrations/conformance.ts),
 * on the app's own store and hooks: `event.locals.session` from the
 * `sealedSession` hook, committed by it (the handlers never commit, except
 * `/commit`, which commits early on purpose).
 */
import { error, json, redirect } from '@sveltejs/kit';
import { sealedSession } from 'sealed-session/sveltekit';
import { OVERSIZE_NOTE, readOf } from '#lib/server/conformance.ts';
import { store } from '#lib/server/session.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async (event) => {
  const { session } = event.locals;
  switch (event.params.step) {
    case 'read':
      return json(readOf(session));
    case 'flash':
      return json({ notice: session.takeFlash<string>('notice') ?? null });
    case 'twice': {
      // The store's hook once more for this request, as a second hook in `sequence(...)` runs: it keeps the first's session.
      let second: typeof session | undefined;
      await sealedSession(store)({
        event,
        resolve: (e) => {
          second = e.locals.session;
          return new Response(null);
        },
      });
      second!.set('count', session.get('count') + 1);
      return json({ same: second === session, ...readOf(session) });
    }
    default:
      error(404);
  }
};

export const POST: RequestHandler = async ({ params, locals: { session }, cookies }) => {
  switch (params.step) {
    case 'write':
      session.set('count', session.get('count') + 1);
      return json(readOf(session));
    case 'commit':
      session.set('count', session.get('count') + 1);
      await session.commit();
      session.set('note', 'second');
      cookies.set('app', '1', { path: '/', httpOnly: false, secure: false });
      return json(readOf(session));
    case 'renew':
      session.renew();
      return json(readOf(session));
    case 'destroy':
      session.destroy();
      return json(readOf(session));
    case 'flash':
      session.flash('notice', 'saved');
      redirect(303, '/conformance/flash');
    case 'oversize':
      // The hook's commit fails (ERR_SESSION_TOO_LARGE): its onError answers.
      session.set('note', OVERSIZE_NOTE);
      return json(readOf(session));
    default:
      error(404);
  }
};
