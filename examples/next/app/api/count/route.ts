import { store } from '../../../lib/session';

/** The session's state. */
export const GET = store.withSession(async (_request: Request, session) => Response.json(session.data));

/** Count one more; `withSession` commits, the handler does not have to. */
export const POST = store.withSession(async (_request: Request, session) => {
  session.set('count', session.get('count') + 1);
  return Response.json({ count: session.get('count') });
});
