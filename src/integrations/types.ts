/**
 * Types the framework integrations share. Type-only: the integrations import
 * nothing of the core at run time (they drive the store the application
 * passes in), so `sealed-session/<framework>` adds a few hundred bytes and no
 * second copy of the core.
 *
 * @module
 */
import type { CookieSessionStore, Session, StandardSchemaV1, SchemaState } from 'sealed-session';

/**
 * The session type a store gives: `SessionOf<typeof store>`.
 *
 * @example
 * ```ts
 * const store = new CookieSessionStore({ keys, schema: z.object({ visits: z.number().default(0) }) });
 * type AppSession = SessionOf<typeof store>; // Session<{ visits: number }>
 * ```
 */
export type SessionOf<T> = T extends CookieSessionStore<infer S extends StandardSchemaV1> ? Session<SchemaState<S>> : never;
