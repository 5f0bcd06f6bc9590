import { NextResponse, type NextRequest } from 'next/server';
import { store } from './lib/session';

/** Counts visits under /mw (Next 15's middleware; Next 16 calls it proxy). */
export async function middleware(request: NextRequest): Promise<NextResponse> {
  const response = NextResponse.rewrite(new URL('/me', request.url));
  const session = await store.handleSession(request, response);
  session.set('viaMiddleware', session.get('viaMiddleware') + 1);
  await session.commit();
  return response;
}

export const config = { matcher: '/mw' };
