import { NextResponse, type NextRequest } from 'next/server';
import { store } from './lib/session';

/**
 * Counts visits under /mw. The session is committed onto `NextResponse.next()`
 * (through its `cookies`, which the adapter uses when present), so the browser
 * gets the cookie and the page rendered for this same request reads it.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const response = NextResponse.next();
  const session = await store.handleSession(request, response);
  session.set('visitedViaMiddleware', session.get('visitedViaMiddleware') + 1);
  await session.commit();
  return response;
}

export const config = { matcher: '/mw/:path*' };
