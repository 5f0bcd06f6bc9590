/**
 * `/conformance/<step>`: the conformance checklist's routes
 * (test/integrations/conformance.ts), on the app's own store:
 * `store.withSession` commits what a handler changed onto the Response it
 * returns (the handlers never commit, except `/commit`, which commits early
 * on purpose), and {@link answeringErrors} is the app's own answer when that
 * commit fails.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { isSessionError, type InferState, type Session } from 'sealed-session';
import { store } from '../../../lib/session';

/** More than the 6144-byte cookie budget once sealed. */
const OVERSIZE_NOTE = 'x'.repeat(10_000);

function readOf(session: Session<InferState<typeof store>>) {
  return { count: session.get('count'), note: session.get('note') ?? null, id: session.id, isNew: session.isNew, invalidReason: session.invalidReason ?? null };
}

const stepOf = (request: NextRequest) => new URL(request.url).pathname.split('/').pop();
const notFound = () => new Response('no such step', { status: 404 });

/** A session over the cookie budget (withSession's commit throws): the app's 413, and the browser keeps its cookie. */
function answeringErrors(handler: (request: NextRequest) => Promise<Response>) {
  return async (request: NextRequest): Promise<Response> => {
    try {
      return await handler(request);
    } catch (err) {
      const code = isSessionError(err) ? err.code : 'unexpected';
      return Response.json({ error: code }, { status: code === 'ERR_SESSION_TOO_LARGE' ? 413 : 500 });
    }
  };
}

export const GET = answeringErrors(
  store.withSession(async (request: NextRequest, session) => {
    switch (stepOf(request)) {
      case 'read':
        return Response.json(readOf(session));
      case 'flash':
        return Response.json({ notice: session.takeFlash<string>('notice') ?? null });
      case 'twice': {
        // The session of this request a second time, as a helper that only has the request would get it.
        const second = await store.handleSession(request);
        second.set('count', session.get('count') + 1);
        return Response.json({ same: second === session, ...readOf(session) });
      }
      default:
        return notFound();
    }
  }),
);

export const POST = answeringErrors(
  store.withSession(async (request: NextRequest, session) => {
    switch (stepOf(request)) {
      case 'write':
        session.set('count', session.get('count') + 1);
        return Response.json(readOf(session));
      case 'commit': {
        session.set('count', session.get('count') + 1);
        await session.commit();
        session.set('note', 'second');
        const response = NextResponse.json(readOf(session));
        response.cookies.set('app', '1', { path: '/' });
        return response;
      }
      case 'renew':
        session.renew();
        return Response.json(readOf(session));
      case 'destroy':
        session.destroy();
        return Response.json(readOf(session));
      case 'flash':
        session.flash('notice', 'saved');
        return NextResponse.redirect(new URL('/conformance/flash', request.url), 303);
      case 'oversize':
        session.set('note', OVERSIZE_NOTE);
        return Response.json(readOf(session));
      default:
        return notFound();
    }
  }),
);
