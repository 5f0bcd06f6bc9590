/**
 * What the framework tests (Express, Fastify, Hono) share: the same small
 * app state (a user and a counter under `__Host-app`), the JSON a `/me`
 * route answers, and a JSON request body.
 */
import { expect } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type Session } from '../../src/index';
import { Client } from '../helpers/jar';

/** A store for one framework's test, with its own secret. */
export function appStore(secret: string) {
  return new CookieSessionStore({
    keys: secret,
    schema: z.object({ user: z.string().optional(), count: z.number().int().default(0) }),
    cookie: { name: '__Host-app' },
  });
}

export type AppSession = Session<{ user?: string | undefined; count: number }>;

/** What `/me` answers. */
export interface Me {
  user: string | null;
  count: number;
  id: string;
  isNew: boolean;
}

export function me(session: AppSession): Me {
  return { user: session.get('user') ?? null, count: session.get('count'), id: session.id, isNew: session.isNew };
}

/** A POST with a JSON body. */
export const jsonPost = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/**
 * The app answers a login without a usable name itself (400), sends no
 * cookie, and the session it had (one count) is left as it was.
 */
export async function expectBadLoginLeavesSession(origin: string, badLogin: RequestInit): Promise<void> {
  const c = new Client(origin);
  await c.fetch('/count', { method: 'POST' });
  const bad = await c.fetch('/login', badLogin);
  expect(bad.status).toBe(400);
  expect(bad.setCookies).toEqual([]);
  expect(await c.json<Me>('/me')).toMatchObject({ user: null, count: 1 });
}
