import { NextResponse, type NextRequest } from 'next/server';
import { store } from '../../../lib/session';

/**
 * `handleSession(request, response)` then an explicit `commit()`: the session
 * cookie joins the cookies the route set itself on its `NextResponse`, through
 * `response.cookies` or appended to `response.headers`.
 */
export async function POST(request: NextRequest): Promise<NextResponse> {
  const response = NextResponse.json({ ok: true });
  response.cookies.set('theme', 'dark', { path: '/', sameSite: 'lax' });
  response.headers.append('set-cookie', 'consent=yes; Path=/; SameSite=Lax');
  const session = await store.handleSession(request, response);
  session.set('count', session.get('count') + 10);
  await session.commit();
  return response;
}
