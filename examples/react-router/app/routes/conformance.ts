/**
 * `/conformance/:step`: the conformance checklist's routes
 * (test/integrations/conformance.ts), on the app's own storage. React
 * Router's sessions are committed by the route (`commitSession` into a
 * `Set-Cookie` header), so each route commits the way an app would:
 * {@link sessionHeaders} sends nothing for a session nobody touched, the
 * removal for a refused cookie, and `commitSession`'s cookie otherwise.
 * Sessions come from `getSession(request)`: every call for one request is
 * the same session.
 */
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from 'react-router';
import { isSessionError } from 'sealed-session';
import { commitSession, destroySession, getSession, sealed } from '../sessions.server';

type AppSession = Awaited<ReturnType<typeof getSession>>;

/** More than the 6144-byte cookie budget once sealed. */
const OVERSIZE_NOTE = 'x'.repeat(10_000);

function readOf(session: AppSession) {
  const s = sealed(session);
  return { count: s.get('count'), note: s.get('note') ?? null, id: s.id, isNew: s.isNew, invalidReason: s.invalidReason ?? null };
}

/** The Set-Cookie this response needs: none for an untouched session, the removal of a refused cookie, else the session's cookie. */
async function sessionHeaders(session: AppSession): Promise<Headers> {
  const s = sealed(session);
  const headers = new Headers();
  if (s.status === 'unchanged' && s.invalidReason !== undefined) headers.append('Set-Cookie', await destroySession(session));
  else if (s.status !== 'unchanged') headers.append('Set-Cookie', await commitSession(session));
  return headers;
}

const json = async (session: AppSession, body: object) => Response.json(body, { headers: await sessionHeaders(session) });
const notFound = () => new Response('no such step', { status: 404 });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const session = await getSession(request);
  switch (params.step) {
    case 'read':
      return json(session, readOf(session));
    case 'flash':
      return json(session, { notice: session.get('notice') ?? null });
    case 'twice': {
      // getSession again for this request (as a helper the loader calls would): the same session, so one commit stores both.
      const second = await getSession(request);
      second.set('count', (session.get('count') ?? 0) + 1);
      return json(second, { same: second === session, ...readOf(session) });
    }
    default:
      return notFound();
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const session = await getSession(request);
  switch (params.step) {
    case 'write':
      session.set('count', (session.get('count') ?? 0) + 1);
      return json(session, readOf(session));
    case 'commit': {
      // One commitSession after both changes, next to the app's own cookie.
      session.set('count', (session.get('count') ?? 0) + 1);
      session.set('note', 'second');
      const headers = await sessionHeaders(session);
      headers.append('Set-Cookie', 'app=1; Path=/');
      return Response.json(readOf(session), { headers });
    }
    case 'renew':
      sealed(session).renew();
      return json(session, readOf(session));
    case 'destroy':
      return Response.json(readOf(session), { headers: { 'Set-Cookie': await destroySession(session) } });
    case 'flash':
      session.flash('notice', 'saved');
      return redirect('/conformance/flash', { status: 303, headers: await sessionHeaders(session) });
    case 'oversize':
      session.set('note', OVERSIZE_NOTE);
      try {
        return await json(session, readOf(session));
      } catch (err) {
        // The app's own answer to a session it cannot save; the browser keeps its cookie.
        const code = isSessionError(err) ? err.code : 'unexpected';
        return Response.json({ error: code }, { status: code === 'ERR_SESSION_TOO_LARGE' ? 413 : 500 });
      }
    default:
      return notFound();
  }
}
