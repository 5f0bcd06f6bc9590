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

expectTypeOf<SessionOf<typeof store>>().toEqualTypeOf<Session<z.output<typeof schema>>>();
// A hook's event must carry this store's session on locals.
const handle = sealedSession(store);
declare const request: Request;
declare const resolve: () => Promise<Response>;
handle({ event: { request, locals: { session: null as unknown as SessionOf<typeof store> } }, resolve });
// @ts-expect-error locals without the session
handle({ event: { request, locals: {} }, resolve });
