/**
 * Type tests for the package entry's public surface: `Session` and `KeyRing`
 * are types only (sessions come from a store, rings from `createKeyRing`),
 * `InferState` takes a store or a schema, and error details are typed per
 * code. Checked by `npm run typecheck`, where every `@ts-expect-error` must
 * meet an error. Nothing here runs.
 */
import { describe, expectTypeOf, test } from 'vitest';
import { z } from 'zod';
import * as entry from 'sealed-session';
import {
  CookieSessionStore,
  createKeyRing,
  isSessionError,
  type InferState,
  type JsonObject,
  type KeyRing,
  type Session,
  type StandardSchemaV1,
} from 'sealed-session';

declare const keys: string;
declare const err: unknown;

describe('types only', () => {
  test('new Session() and new KeyRing() do not compile from the package entry', () => {
    // @ts-expect-error Session is exported as a type only: sessions come from store.load / store.handleSession.
    new entry.Session();
    // @ts-expect-error KeyRing is exported as a type only: rings come from createKeyRing.
    new entry.KeyRing();
    // @ts-expect-error the store's framework-free base class is not exported.
    void entry.SessionStore;
    // @ts-expect-error the engine interface is internal; EngineChoice is what a user picks.
    type _ = entry.CryptoEngine;
    expectTypeOf(createKeyRing(keys)).toEqualTypeOf<KeyRing>();
    const engine: entry.EngineChoice = 'webcrypto';
    void engine;
  });
});

describe('InferState: one type for a store or a schema', () => {
  const schema = z.object({ visits: z.number().default(0), userId: z.string().optional() });
  const store = new CookieSessionStore({ keys, schema });
  type State = z.output<typeof schema>;

  test('from the schema and from the store, the same type', () => {
    expectTypeOf<InferState<typeof schema>>().toEqualTypeOf<State>();
    expectTypeOf<InferState<typeof store>>().toEqualTypeOf<State>();
    expectTypeOf(store.load('')).resolves.toEqualTypeOf<Session<InferState<typeof store>>>();
  });

  test('untyped schema and schema-less store: a JSON object', () => {
    expectTypeOf<InferState<StandardSchemaV1>>().toEqualTypeOf<JsonObject>();
    expectTypeOf<InferState<CookieSessionStore>>().toEqualTypeOf<JsonObject>();
    const plain = new CookieSessionStore({ keys });
    expectTypeOf<InferState<typeof plain>>().toEqualTypeOf<JsonObject>();
  });

  test('something else: never', () => {
    expectTypeOf<InferState<string>>().toBeNever();
  });
});

describe('error details typed per code', () => {
  test('after narrowing, details are there without optional chaining', () => {
    if (isSessionError(err, 'ERR_SESSION_TOO_LARGE')) {
      expectTypeOf(err.details.measured).toEqualTypeOf<number>();
      expectTypeOf(err.details.allowed).toEqualTypeOf<number>();
    }
    if (isSessionError(err, 'ERR_SESSION_INVALID')) {
      expectTypeOf(err.details.issues).toEqualTypeOf<readonly entry.SchemaIssue[]>();
    }
    if (isSessionError(err, 'ERR_CONFIG_OPTION')) {
      expectTypeOf(err.details.option).toEqualTypeOf<string>();
    }
  });

  test('not narrowed to a code: no size to read', () => {
    if (isSessionError(err)) {
      // @ts-expect-error any code: `measured` is not known to be there.
      void err.details.measured;
    }
    if (isSessionError(err, 'ERR_SEAL_BAD_MAC')) {
      // @ts-expect-error a code without details.
      void err.details.measured;
    }
  });
});
