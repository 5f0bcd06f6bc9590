/**
 * Standard Schema support: the session state is validated by any validator
 * that implements https://standardschema.dev (zod 4, valibot, arktype…),
 * without importing one at run time.
 *
 * @module
 */
import type { SchemaIssue } from '../errors';

/** The Standard Schema v1 interface (copied from the spec, as it recommends). */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** A validation result: a value, or issues. */
export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<SchemaIssue> };

/** The output type of a schema: what `session.data` holds. */
export type InferOutput<S> = S extends StandardSchemaV1<unknown, infer O> ? O : never;

/** A JSON value, the state type of a store without a schema. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The state of a store without a schema: a JSON object. */
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
      const problem = checkJson(value, 0, []);
      return problem ? { issues: [problem] } : { value: value as JsonObject };
    },
  },
};

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function checkJson(value: unknown, depth: number, path: PropertyKey[]): SchemaIssue | undefined {
  if (depth === 0 && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    return { message: 'the session state must be a JSON object', path };
  }
  if (depth > 64) return { message: 'the session state is nested more than 64 levels deep', path };
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { message: 'numbers must be finite', path };
  if (typeof value !== 'object') return { message: `a ${typeof value} is not JSON`, path };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = checkJson(value[i], depth + 1, [...path, i]);
      if (problem) return problem;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return { message: 'only plain objects are JSON (not Date, Map, class instances)', path };
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return { message: `the key "${key}" is not allowed in session state`, path: [...path, key] };
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    const problem = checkJson(v, depth + 1, [...path, key]);
    if (problem) return problem;
  }
  return undefined;
}

/** Is this a Standard Schema? */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const std = (value as { '~standard'?: { version?: unknown; validate?: unknown } } | null | undefined)?.['~standard'];
  return !!std && std.version === 1 && typeof std.validate === 'function';
}
