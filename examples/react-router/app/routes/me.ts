/**
 * `/me`: the session as JSON (a resource route), for the tests' fetch client.
 * `getSession(request)` is the request's one session; `getSession(cookieHeader)`
 * is React Router's form, a session of its own per call.
 */
import type { LoaderFunctionArgs } from 'react-router';
import { getSession, sealed } from '../sessions.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await getSession(request);
  // Every getSession(request) for this request: the same session object.
  const again = await getSession(request);
  // The Cookie header, as with createCookieSessionStorage: a session of its own, with the same state and id.
  const parsed = await getSession(request.headers.get('Cookie'));
  return Response.json({
    user: session.get('user') ?? null,
    count: session.get('count') ?? 0,
    id: session.id,
    sameSessionTwice: again === session,
    headerSession: { same: parsed === session, sameId: parsed.id === session.id, count: parsed.get('count') ?? 0 },
    invalidReason: sealed(session).invalidReason ?? null,
  });
}
