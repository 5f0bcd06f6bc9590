import { json } from '@sveltejs/kit';
import type { RequestHandler } from './$types';

/** The session as JSON, for the tests' fetch client. */
export const GET: RequestHandler = ({ locals: { session } }) =>
  json({ user: session.get('user') ?? null, count: session.get('count'), id: session.id, invalidReason: session.invalidReason ?? null });
