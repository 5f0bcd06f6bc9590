/** `/me`: the session as JSON (a resource route), for the tests' fetch client. */
import type { LoaderFunctionArgs } from 'react-router';
import { getSession, sealed } from '../sessions.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await getSession(request.headers.get('Cookie'));
  // Two getSession calls on one request read the same cookie: the same state and id.
  const again = await getSession(request.headers.get('Cookie'));
  return Response.json({
    user: session.get('user') ?? null,
    count: session.get('count') ?? 0,
    id: session.id,
    sameIdTwice: again.id === session.id,
    invalidReason: sealed(session).invalidReason ?? null,
  });
}
