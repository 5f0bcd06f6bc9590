/**
 * Standard Schema support: the session state is validated by any validator
 * that implements https://standardschema.dev (zod 4, valibot, arktype…),
 * without importing one at run time.
 *
 * @module
 */
import { SessionError, configError, type SchemaIssue } from '../errors';
import { isPromiseLike } from '../util/maybe-promise';
import { jsonProblem, type JsonProblem } from '../util/json';

/**
 * The Standard Schema v1 interface (copied from the spec, as it recommends).
 * zod 4, valibot and arktype schemas implement it; so can a hand-written
 * validator. Session reads and writes validate synchronously, so `validate`
 * must not return a promise.
 *
 * @typeParam Input what the schema accepts.
 * @typeParam Output what it produces: the session state type.
 *
 * @example
 * ```ts
 * const visits: StandardSchemaV1<{ visits?: number }, { visits: number }> = {
 *   '~standard': {
 *     version: 1,
 *     vendor: 'my-app',
 *     validate(value) {
 *       const v = (value as { visits?: unknown }).visits ?? 0;
 *       return typeof v === 'number' ? { value: { visits: v } } : { issues: [{ message: 'visits must be a number', path: ['visits'] }] };
 *     },
 *   },
 * };
 * const store = new CookieSessionStore({ keys, schema: visits });
 * ```
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The Standard Schema properties, under a key that does not clash with a library's own API. */
  readonly '~standard': {
    /** The version of the Standard Schema spec: `1`. */
    readonly version: 1;
    /** The library that made the schema (`'zod'`, `'valibot'`…). */
    readonly vendor: string;
    /** Validate a value: the output value, or issues. */
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    /** Type-only carrier of the input and output types (never read at run time). */
    readonly types?: {
      /** The input type. */
      readonly input: Input;
      /** The output type. */
      readonly output: Output;
    } | undefined;
  };
}

/**
 * A validation result: a value, or issues (Standard Schema's `Result`).
 *
 * @typeParam Output the validated value's type.
 *
 * @example
 * ```ts
 * const ok: StandardResult<{ visits: number }> = { value: { visits: 1 } };
 * const bad: StandardResult<{ visits: number }> = { issues: [{ message: 'expected a number', path: ['visits'] }] };
 * ```
 */
export type StandardResult<Output> =
  | {
      /** The validated (possibly transformed, defaulted) value. */
      readonly value: Output;
      /** Absent on success. */
      readonly issues?: undefined;
    }
  | {
      /** What is wrong; at least one issue. */
      readonly issues: ReadonlyArray<SchemaIssue>;
    };

/**
 * A JSON value: what a store without a schema holds in each field, and what
 * `flash` takes.
 *
 * @example
 * ```ts
 * const value: Json = { theme: 'dark', recent: [1, 2, 3], admin: false, manager: null };
 * ```
 */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * The state of a store without a schema: a JSON object.
 *
 * @example
 * ```ts
 * const store = new CookieSessionStore({ keys }); // no schema: state is a JsonObject
 * const session = await store.load(cookieHeader);
 * const state: DeepReadonly<JsonObject> = session.data;
 * ```
 */
export type JsonObject = { [key: string]: Json };

/**
 * The validator used when no schema is given: the state must be a plain JSON
 * object whose keys are not `__proto__`, `constructor` or `prototype` (at any
 * depth), so a state can never be a prototype-pollution gadget in user code
 * that merges it into another object.
 */
export const jsonObjectSchema: StandardSchemaV1<JsonObject, JsonObject> = {
  '~standard': {
    version: 1,
    vendor: 'sealed-session',
    validate(value) {
      const problem = checkJson(value);
      return problem ? { issues: [problem] } : { value: value as JsonObject };
    },
  },
};

/**
 * What is wrong with `value` as a JSON object, by {@link jsonObjectSchema}'s
 * rules; `undefined` when nothing is.
 *
 * @internal
 */
export function jsonObjectIssue(value: unknown): SchemaIssue | undefined {
  return checkJson(value);
}

/**
 * What is wrong with `value`, a schema's output, as a session state that is
 * sealed as JSON (a user schema may output a Date, a Map, a `__proto__`
 * key…); `undefined` when nothing is, or when `schema` is
 * {@link jsonObjectSchema}, which checked exactly that already.
 *
 * @internal
 */
export function outputIssue(schema: StandardSchemaV1, value: unknown): SchemaIssue | undefined {
  return schema === jsonObjectSchema ? undefined : checkJson(value);
}

/** The state check: a JSON object at the root, then the one JSON walk with prototype-polluting keys refused. */
function checkJson(value: unknown): JsonProblem | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { message: 'the session state must be a JSON object', path: [] };
  return jsonProblem(value, true);
}

/** Is this a Standard Schema? */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const std = (value as { '~standard'?: { version?: unknown; validate?: unknown } } | null | undefined)?.['~standard'];
  return !!std && std.version === 1 && typeof std.validate === 'function';
}

/**
 * Validate synchronously, as session writes must. A schema that answers with
 * a promise (async refinements) is a configuration error naming `option`.
 *
 * @internal
 */
export function validateSync<T>(schema: StandardSchemaV1, value: unknown, option = 'schema'): StandardResult<T> {
  const result = schema['~standard'].validate(value) as StandardResult<T> | Promise<unknown>;
  if (isPromiseLike(result)) {
    Promise.resolve(result).catch(() => {});
    throw configError(
      'ERR_CONFIG_OPTION',
      option,
      'validates asynchronously; session reads and writes validate synchronously, so use a schema without async refinements',
    );
  }
  return result;
}

/**
 * Throw `ERR_SESSION_INVALID` for a failed validation, naming up to five
 * issues with their paths (never the values). `by` names the check that
 * failed (default: the schema).
 *
 * @internal
 */
export function rejectIssues(what: string, issues: readonly SchemaIssue[], by = 'the schema'): never {
  const detail = issues
    .slice(0, 5)
    .map((issue) => (issue.path?.length ? `${issue.path.map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.')}: ` : '') + issue.message)
    .join('; ');
  throw new SessionError('ERR_SESSION_INVALID', `sealed-session: ${what} was rejected by ${by}: ${detail}`, { issues });
}
