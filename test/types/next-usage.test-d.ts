/**
 * How an app uses sealed-session with Next.js, type-checked against both
 * majors: Next 16 by `npm run typecheck` (the root devDependency), Next 15 by
 * `tsc -p examples/next15` (its tsconfig maps `next` to that package's own
 * Next 15; test/integrations/next15.test.ts runs it). Nothing here runs.
 */
import { cookies } from 'next/headers';
import { NextResponse, type NextRequest } from 'next/server';
import { CookieSessionStore, type CookieStoreLike, type Session } from 'sealed-session';
import { expectTypeOf } from 'vitest';
import { z } from 'zod';

const schema = z.object({ userId: z.string().optional(), visits: z.number().default(0) });
type State = z.output<typeof schema>;
declare const keys: string;
const store = new CookieSessionStore({ keys, schema });

/** Server components, server actions and route handlers: `await cookies()`. */
export async function serverAction(): Promise<void> {
  const jar = await cookies();
  expectTypeOf(jar).toExtend<CookieStoreLike>();
  const session = await store.handleSession(jar);
  expectTypeOf(session).toEqualTypeOf<Session<State>>();
  session.set('visits', session.get('visits') + 1);
  // @ts-expect-error the schema says visits is a number
  session.set('visits', 'many');
  await session.commit();
}

/** Middleware (Next 15) / proxy (Next 16): NextRequest with NextResponse.next(). */
export async function middleware(request: NextRequest): Promise<NextResponse> {
  const response = NextResponse.next();
  const session = await store.handleSession(request, response);
  expectTypeOf(session).toEqualTypeOf<Session<State>>();
  await session.commit();
  return response;
}

/** Route handlers through withSession keep NextRequest and the handler's own response type. */
export const GET = store.withSession(async (request: NextRequest, session) => {
  expectTypeOf(request.nextUrl.pathname).toBeString();
  return NextResponse.json({ visits: session.get('visits') });
});
expectTypeOf(GET).toEqualTypeOf<(request: NextRequest) => Promise<NextResponse<{ visits: number }>>>();

// @ts-expect-error a cookie store takes nothing else
store.handleSession(await cookies(), new Response());
