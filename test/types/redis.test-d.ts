/**
 * Type tests of sealed-session/redis: a RedisSessionStore is typed from its
 * schema like a cookie store, every integration takes it, and the options
 * are typed (owner from the state, onConflict's three policies). Checked by
 * `npm run typecheck`. Nothing here runs.
 */
import { expectTypeOf } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type InferState, type Session } from '../../src/index';
import { sealedSession as astro } from '../../src/integrations/astro';
import { sessionMiddleware as express, type SessionOf } from '../../src/integrations/express';
import Fastify from 'fastify';
import { sealedSession as fastify } from '../../src/integrations/fastify';
import { useSealedSession } from '../../src/integrations/h3';
import { sessionMiddleware as hono, type SessionEnv } from '../../src/integrations/hono';
import { createSealedSessionStorage } from '../../src/integrations/react-router';
import { sealedSession as sveltekit } from '../../src/integrations/sveltekit';
import { RedisBackend, RedisSessionStore, type RedisClientLike } from '../../src/redis/index';

const schema = z.object({ userId: z.string().optional(), cart: z.array(z.string()).default([]) });
type State = z.output<typeof schema>;
declare const keys: string;
declare const client: RedisClientLike;

const store = new RedisSessionStore({ client, keys, schema, owner: (state) => state.userId, onConflict: 'merge' });
expectTypeOf<InferState<typeof store>>().toEqualTypeOf<State>();
expectTypeOf<SessionOf<typeof store>>().toEqualTypeOf<Session<State>>();
expectTypeOf(store).toMatchTypeOf<CookieSessionStore<typeof schema>>();
expectTypeOf(store.logOutEverywhere('ada')).toEqualTypeOf<Promise<number>>();
declare const session: Session<State>;
expectTypeOf(session.get('cart')).toEqualTypeOf<readonly string[]>();

// Every integration takes it.
express(store);
void Fastify().register(fastify, { store });
hono(store);
expectTypeOf<SessionEnv<typeof store>['Variables']['session']>().toEqualTypeOf<Session<State>>();
declare const event: Parameters<typeof useSealedSession>[0];
expectTypeOf(useSealedSession(event, store)).toEqualTypeOf<Promise<Session<State>>>();
createSealedSessionStorage(store);
sveltekit(store);
astro(store);

// @ts-expect-error the owner comes from the state: no such field
new RedisSessionStore({ client, keys, schema, owner: (state) => state.user });
// @ts-expect-error three policies only
new RedisSessionStore({ client, keys, schema, onConflict: 'ignore' });
// @ts-expect-error spill is the cookie store's option
new RedisSessionStore({ client, keys, schema, spill: new RedisBackend({ client }) });

// Hybrid: the cookie store's spill takes a backend, or the options in full (owner typed from the state).
new CookieSessionStore({ keys, schema, spill: new RedisBackend({ client }) });
new CookieSessionStore({ keys, schema, spill: { backend: new RedisBackend({ client }), always: true, owner: (state) => state.userId } });
