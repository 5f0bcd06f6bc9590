import { store } from '../../../lib/session';

/** This route runs on the edge runtime: no node:crypto, so the WebCrypto engine seals. */
export const runtime = 'edge';

export const POST = store.withSession(async (_request: Request, session) => {
  session.set('count', session.get('count') + 1);
  return Response.json({ count: session.get('count'), runtime: process.env.NEXT_RUNTIME ?? 'unknown' });
});
