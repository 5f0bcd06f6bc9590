/**
 * Type tests for `handleSession` and `withSession`: the request/response
 * types of each runtime are accepted as they are, without casts, and
 * combinations that cannot work do not compile. Checked by
 * `npm run typecheck` and `npx vitest run --typecheck.only test/types`.
 * Nothing here runs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';
import type { NextApiRequest, NextApiResponse } from 'next';
import type { cookies } from 'next/headers';
import type { NextRequest, NextResponse } from 'next/server';
import { describe, expectTypeOf, test } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type CookieStoreLike, type Session } from '../../src/index';

const schema = z.object({ visits: z.number().default(0) });
type State = z.output<typeof schema>;
declare const keys: string;
const store = new CookieSessionStore({ keys, schema });
const { handleSession } = store;

/** What `await cookies()` gives in Next 15/16 server actions, route handlers and server components. */
type NextCookieStore = Awaited<ReturnType<typeof cookies>>;

declare const nextCookies: NextCookieStore;
declare const nextRequest: NextRequest;
declare const nextResponse: NextResponse;
declare const nodeRequest: IncomingMessage;
declare const nodeResponse: ServerResponse;
declare const expressRequest: ExpressRequest;
declare const expressResponse: ExpressResponse;
declare const apiRequest: NextApiRequest;
declare const apiResponse: NextApiResponse;
declare const webRequest: Request;
declare const webResponse: Response;
declare const webHeaders: Headers;

describe('handleSession accepts each runtime’s own types', () => {
  test('Next.js: await cookies()', () => {
    expectTypeOf(nextCookies).toExtend<CookieStoreLike>();
    expectTypeOf(handleSession(nextCookies)).resolves.toEqualTypeOf<Session<State>>();
  });

  test('Next.js: NextRequest with NextResponse, or alone (middleware, route handlers)', () => {
    expectTypeOf(handleSession(nextRequest, nextResponse)).resolves.toEqualTypeOf<Session<State>>();
    expectTypeOf(handleSession(nextRequest)).resolves.toEqualTypeOf<Session<State>>();
    expectTypeOf(handleSession(nextRequest, nextResponse.headers)).resolves.toEqualTypeOf<Session<State>>();
  });

  test('Next.js Pages API routes: NextApiRequest, NextApiResponse', () => {
    expectTypeOf(handleSession(apiRequest, apiResponse)).resolves.toEqualTypeOf<Session<State>>();
  });

  test('node:http: IncomingMessage, ServerResponse', () => {
    expectTypeOf(handleSession(nodeRequest, nodeResponse)).resolves.toEqualTypeOf<Session<State>>();
  });

  test('Express 5: req, res', () => {
    expectTypeOf(handleSession(expressRequest, expressResponse)).resolves.toEqualTypeOf<Session<State>>();
  });

  test('Fetch: Request with Response, with Headers, or alone', () => {
    expectTypeOf(handleSession(webRequest, webResponse)).resolves.toEqualTypeOf<Session<State>>();
    expectTypeOf(handleSession(webRequest, webHeaders)).resolves.toEqualTypeOf<Session<State>>();
    expectTypeOf(handleSession(webRequest)).resolves.toEqualTypeOf<Session<State>>();
  });
});

describe('combinations that cannot work do not compile', () => {
  test('mismatched or missing halves', () => {
    // @ts-expect-error a node request needs its response (nothing could carry the cookie back)
    handleSession(nodeRequest);
    // @ts-expect-error a node request with a Web response
    handleSession(nodeRequest, webResponse);
    // @ts-expect-error a Web request with a node response
    handleSession(webRequest, nodeResponse);
    // @ts-expect-error the cookie store form takes nothing else
    handleSession(nextCookies, webResponse);
    // @ts-expect-error not a request
    handleSession('sess=abc');
    // @ts-expect-error not a request
    handleSession({});
  });
});

describe('withSession', () => {
  test('keeps a Next.js route handler’s request and response types', () => {
    const GET = store.withSession(async (req: NextRequest, session) => {
      expectTypeOf(session).toEqualTypeOf<Session<State>>();
      expectTypeOf(req.nextUrl).toEqualTypeOf<NextRequest['nextUrl']>();
      return null as unknown as NextResponse<{ visits: number }>;
    });
    expectTypeOf(GET).toEqualTypeOf<(request: NextRequest) => Promise<NextResponse<{ visits: number }>>>();
  });

  test('takes a handler returning a plain Response', () => {
    const handler = store.withSession((_req: Request, session) => Response.json({ visits: session.get('visits') }));
    expectTypeOf(handler).toEqualTypeOf<(request: Request) => Promise<Response>>();
  });

  test('does not take a node handler', () => {
    // @ts-expect-error withSession wraps Fetch handlers; node:http uses handleSession(req, res)
    store.withSession((_req: IncomingMessage, _session) => nodeResponse);
  });
});
