/**
 * Type tests of typed flash: a store's `flashSchema` types `flash(key, value)`
 * and `takeFlash(key)`; a wrong key or value does not compile, and the
 * unchecked `takeFlash<T>` cast is gone. Without a flash schema the old,
 * untyped API is unchanged. Stores with a flash schema still fit the
 * integrations. Checked by `npm run typecheck`; nothing here runs.
 */
import { expectTypeOf } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type FlashState, type InferState, type Json, type Session } from '../../src/index';
import { sessionMiddleware as expressSession } from '../../src/integrations/express';
import { sessionMiddleware as honoSession } from '../../src/integrations/hono';
import { useSealedSession } from '../../src/integrations/h3';
import { createSealedSessionStorage } from '../../src/integrations/react-router';
import { sealedSession as kitSession, type SessionOf } from '../../src/integrations/sveltekit';

declare const keys: string;
declare const request: Request;
const schema = z.object({ userId: z.string().optional() });
const flashSchema = z.object({ notice: z.string(), attempts: z.number().int(), error: z.object({ code: z.string() }) }).partial();
type Flash = { notice?: string | undefined; attempts?: number | undefined; error?: { code: string } | undefined };

const typed = new CookieSessionStore({ keys, schema, flashSchema });
declare const session: Awaited<ReturnType<typeof typed.load>>;

// The store's session type carries the flash type.
expectTypeOf<FlashState<typeof flashSchema>>().toEqualTypeOf<Flash>();
expectTypeOf(session).toEqualTypeOf<Session<{ userId?: string | undefined }, Flash>>();
expectTypeOf<InferState<typeof typed>>().toEqualTypeOf<{ userId?: string | undefined }>();

// flash: keys and values from the schema.
session.flash('notice', 'Saved');
session.flash('attempts', 3);
session.flash('error', { code: 'E_CARD' });
// @ts-expect-error notice is a string
session.flash('notice', 42);
// @ts-expect-error error is an object with a code
session.flash('error', { message: 'x' });
// @ts-expect-error not a key of the flash schema
session.flash('other', 'x');
// @ts-expect-error a flash value is a value, not undefined
session.flash('notice', undefined);

// takeFlash: the type follows the key; there is no unchecked cast any more.
expectTypeOf(session.takeFlash('notice')).toEqualTypeOf<string | undefined>();
expectTypeOf(session.takeFlash('attempts')).toEqualTypeOf<number | undefined>();
expectTypeOf(session.takeFlash('error')).toEqualTypeOf<{ code: string } | undefined>();
// @ts-expect-error not a key of the flash schema
session.takeFlash('other');
// @ts-expect-error the type comes from the schema: takeFlash<T> is not for typed stores
session.takeFlash<number>('notice');

// handleSession's sessions are typed the same way.
async function viaHandle() {
  const s = await typed.handleSession(request);
  expectTypeOf(s.takeFlash('notice')).toEqualTypeOf<string | undefined>();
  // @ts-expect-error notice is a string
  s.flash('notice', true);
}
void viaHandle;

// Without a flash schema: any JSON under any key, and takeFlash<T> as before.
const untyped = new CookieSessionStore({ keys, schema });
declare const plain: Awaited<ReturnType<typeof untyped.load>>;
expectTypeOf(plain).toEqualTypeOf<Session<{ userId?: string | undefined }>>();
plain.flash('anything', { nested: [1, 'two', null] });
expectTypeOf(plain.takeFlash('anything')).toEqualTypeOf<Json | undefined>();
expectTypeOf(plain.takeFlash<string>('notice')).toEqualTypeOf<string | undefined>();
// @ts-expect-error still JSON only
plain.flash('when', new Date());

// A flash schema that is not an object schema gives no usable flash type; the store refuses it at construction.
expectTypeOf<FlashState<z.ZodString>>().toEqualTypeOf<never>();

// Stores with a flash schema fit every integration (which keep their own flash typing).
expressSession(typed);
honoSession(typed);
void useSealedSession({ req: request } as never, typed);
kitSession(typed);
const storage = createSealedSessionStorage<typeof schema, { notice: string }>(typed);
void storage;
expectTypeOf<SessionOf<typeof typed>>().toMatchTypeOf<Session<{ userId?: string | undefined }>>();
