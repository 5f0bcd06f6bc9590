/** Type tests against Kit's own types (checked by `svelte-kit sync && tsc`; nothing imports this file). */
import type { Handle } from '@sveltejs/kit/hooks';
import type { CookieSessionStore, StandardSchemaV1 } from 'sealed-session';
import { sealedSession } from 'sealed-session/sveltekit';
import { store } from './session.ts';

declare const other: CookieSessionStore<StandardSchemaV1<{ cart?: string[] }, { cart: string[] }>>;

export const ok: Handle = sealedSession(store);
// @ts-expect-error App.Locals declares the session of `store`, not of another store
export const wrong: Handle = sealedSession(other);

export const load = ({ locals }: { locals: App.Locals }) => {
  locals.session.set('count', 1);
  // @ts-expect-error count is a number in the schema
  locals.session.set('count', 'one');
  // @ts-expect-error no such field
  locals.session.get('cart');
};
