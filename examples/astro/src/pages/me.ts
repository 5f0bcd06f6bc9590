import type { APIRoute } from 'astro';

/** The session as JSON, for the tests' fetch client. */
export const GET: APIRoute = ({ locals: { session } }) =>
  Response.json({ user: session.get('user') ?? null, count: session.get('count'), id: session.id, invalidReason: session.invalidReason ?? null });
