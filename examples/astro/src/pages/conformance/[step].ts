/**
 * The conformance checklist's routes (test/integrations/conformance.ts),
 * on the app's own store and middleware: `context.locals.session` from the
 * `sealedSession` middleware, committed by it (the handlers never commit,
 * except `/commit`, which commits early on purpose).
 */
import type { APIRoute } from 'astro';
import { sealedSession } from 'sealed-session/astro';
import { OVERSIZE_NOTE, readOf } from '../../conformance';
import { store } from '../../session';

const notFound = () => new Response('no such step', { status: 404 });

export const GET: APIRoute = async (context) => {
  const { session } = context.locals;
  switch (context.params.step) {
    case 'read':
      return Response.json(readOf(session));
    case 'flash':
      return Response.json({ notice: session.takeFlash<string>('notice') ?? null });
    case 'twice': {
      // The store's middleware once more for this request, as a second one in `sequence(...)` runs: it keeps the first's session.
      let second: typeof session | undefined;
      await sealedSession(store)(context, async () => {
        second = context.locals.session;
        return new Response(null);
      });
      second!.set('count', session.get('count') + 1);
      return Response.json({ same: second === session, ...readOf(session) });
    }
    default:
      return notFound();
  }
};

export const POST: APIRoute = async ({ params, locals: { session }, cookies, redirect }) => {
  switch (params.step) {
    case 'write':
      session.set('count', session.get('count') + 1);
      return Response.json(readOf(session));
    case 'commit':
      session.set('count', session.get('count') + 1);
      await session.commit();
      session.set('note', 'second');
      cookies.set('app', '1', { path: '/' });
      return Response.json(readOf(session));
    case 'renew':
      session.renew();
      return Response.json(readOf(session));
    case 'destroy':
      session.destroy();
      return Response.json(readOf(session));
    case 'flash':
      session.flash('notice', 'saved');
      return redirect('/conformance/flash', 303);
    case 'oversize':
      // The middleware's commit fails (ERR_SESSION_TOO_LARGE): its onError answers.
      session.set('note', OVERSIZE_NOTE);
      return Response.json(readOf(session));
    default:
      return notFound();
  }
};
