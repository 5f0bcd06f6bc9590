import type { NextRequest } from 'next/server';
import { store } from '../../lib/session';

/** The session as JSON (withSession commits what the handler changed). */
export const GET = store.withSession(async (_request: NextRequest, session) =>
  Response.json({ user: session.get('user') ?? null, count: session.get('count'), viaMiddleware: session.get('viaMiddleware'), id: session.id, invalidReason: session.invalidReason ?? null }),
);
