/** Type tests against Astro's own types (checked by `astro sync && tsc`; nothing imports this file). */
import type { APIContext, MiddlewareHandler } from 'astro';
import type { CookieSessionStore, StandardSchemaV1 } from 'sealed-session';
import { sealedSession } from 'sealed-session/astro';
import { store } from './session';

declare const other: CookieSessionStore<StandardSchemaV1<{ cart?: string[] }, { cart: string[] }>>;

export const ok: MiddlewareHandler = sealedSession(store);
// @ts-expect-error App.Locals declares the session of `store`, not of another store
export const wrong: MiddlewareHandler = sealedSession(other);

export const page = ({ locals }: APIContext) => {
  locals.session.set('count', 1);
  // @ts-expect-error count is a number in the schema
  locals.session.set('count', 'one');
  // @ts-expect-error no such field
  locals.session.get('cart');
};
