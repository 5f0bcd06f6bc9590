/**
 * Type tests of the integrations that need no framework installed (the
 * examples check them against React Router's, Kit's and Astro's own types).
 * Checked by `npm run typecheck`. Nothing here runs.
 */
import { expectTypeOf } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type Session } from '../../src/index';
import { createSealedSessionStorage } from '../../src/integrations/react-router';
import { sealedSession, type SessionOf } from '../../src/integrations/sveltekit';

const schema = z.object({ user: z.string().optional(), count: z.number().default(0) });
declare const keys: string;
const store = new CookieSessionStore({ keys, schema });

/** Flash data may be an interface (no index signature needed). */
interface Flash {
  notice: string;
  attempts: number;
}
const storage = createSealedSessionStorage<typeof schema, Flash>(store);
declare const session: Awaited<ReturnType<typeof storage.getSession>>;
expectTypeOf(session.get('notice')).toEqualTypeOf<string | undefined>();
expectTypeOf(session.get('count')).toEqualTypeOf<number | undefined>();
session.flash('attempts', 2);
// @ts-expect-error attempts is a number
session.flash('attempts', 'two');
// @ts-expect-error flash values are JSON: a Date is not
createSealedSessionStorage<typeof schema, { when: Date }>(store);

// getSession: React Router's form (the Cookie header, or nothing) and the Request itself, the same session type from each.
declare const anyRequest: Request;
type StorageSession = typeof session;
expectTypeOf(storage.getSession(anyRequest)).toEqualTypeOf<Promise<StorageSession>>();
expectTypeOf(storage.getSession(anyRequest.headers.get('Cookie'))).toEqualTypeOf<Promise<StorageSession>>();
expectTypeOf(storage.getSession('sid=abc')).toEqualTypeOf<Promise<StorageSession>>();
expectTypeOf(storage.getSession(null)).toEqualTypeOf<Promise<StorageSession>>();
expectTypeOf(storage.getSession()).toEqualTypeOf<Promise<StorageSession>>();
// React Router passes parse options after the header (and any second argument is accepted with the request).
expectTypeOf(storage.getSession('sid=abc', { decode: (value: string) => value })).toEqualTypeOf<Promise<StorageSession>>();
// Anything with the Request's `headers.get` is one (a framework's own request class).
expectTypeOf(storage.getSession({ headers: { get: (_name: string) => null } })).toEqualTypeOf<Promise<StorageSession>>();
// Still React Router's getSession: the overloads are assignable to its one signature.
type RouterGetSession = (cookieHeader?: string | null, options?: { decode?: (value: string) => string }) => Promise<StorageSession>;
expectTypeOf(storage.getSession).toExtend<RouterGetSession>();
// @ts-expect-error the Headers are not the request: pass the request, or headers.get('Cookie')
storage.getSession(anyRequest.headers);
// @ts-expect-error a number is neither
storage.getSession(42);

expectTypeOf<SessionOf<typeof store>>().toEqualTypeOf<Session<z.output<typeof schema>>>();
// A hook's event must carry this store's session on locals.
const handle = sealedSession(store);
declare const request: Request;
declare const resolve: () => Promise<Response>;
handle({ event: { request, locals: { session: null as unknown as SessionOf<typeof store> } }, resolve });
// @ts-expect-error locals without the session
handle({ event: { request, locals: {} }, resolve });
