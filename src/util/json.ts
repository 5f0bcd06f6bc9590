/**
 * The one JSON walk: is a value plain JSON that a `JSON.stringify` /
 * `JSON.parse` round trip gives back unchanged? Used by the seal (any value
 * given to `sealData`, a session's payload) and by the session state check
 * (which also forbids prototype-polluting keys). One depth limit, no shared
 * mutable state.
 *
 * @module
 */

/**
 * How deep a value may nest, counted from the value the caller gives (a
 * session state, flash values, `sealData`'s data): objects and arrays up to
 * this depth below the root. A cycle recurses until it: refused, like
 * anything nested that deep.
 */
export const MAX_JSON_DEPTH = 64;

/** What the walk found wrong; `path` is filled in on the way back up (no array per key walked). */
export interface JsonProblem {
  readonly message: string;
  readonly path: PropertyKey[];
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const { getOwnPropertyNames, getOwnPropertySymbols, getPrototypeOf, keys: ownKeys } = Object;

const problem = (message: string): JsonProblem => ({ message, path: [] });

/** Prefix `key` to a child's problem. */
function under(key: PropertyKey, found: JsonProblem): JsonProblem {
  found.path.unshift(key);
  return found;
}

/**
 * What JSON would change or lose in `value`; `undefined` when nothing.
 * Refused: `undefined`/functions/symbols other than as an object property's
 * value, `bigint`, non-finite numbers, class instances (`Date`, `Map`, Array
 * subclasses), symbol-keyed or non-enumerable own properties, cycles and
 * nesting past {@link MAX_JSON_DEPTH}; with `forbidKeys`, also the keys
 * `__proto__`, `constructor` and `prototype` at any depth.
 *
 * Three things JSON drops are let through, as JSON drops them:
 * - object properties whose value is `undefined`;
 * - an array's own properties other than its elements (`arr.extra = 1`, or
 *   `index`/`input`/`groups` on a RegExp match): only elements are JSON, and
 *   finding the others means listing every index of every array as a
 *   string, about 250 ns per array on Node 20;
 * - the sign of `-0`, written as `0` (JSON has no negative zero; refusing it
 *   would make an ordinary result such as `Math.round(-0.2)` unsealable).
 *
 * A throwing getter or proxy trap propagates.
 *
 * @param depth the depth of `value` itself: 0 for a caller's value, -1 for a wrapper around one (a session payload).
 */
export function jsonProblem(value: unknown, forbidKeys: boolean, depth = 0): JsonProblem | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : problem('numbers must be finite');
    case 'object':
      break;
    default:
      return problem(`a ${typeof value} is not JSON`);
  }
  if (value === null) return undefined;
  if (depth > MAX_JSON_DEPTH) return problem(`the value is nested more than ${MAX_JSON_DEPTH} levels deep`);
  const proto = getPrototypeOf(value) as unknown;
  if (Array.isArray(value)) {
    if (proto !== Array.prototype) return problem('only plain arrays are JSON (not Array subclasses)');
    for (let i = 0; i < value.length; i++) {
      const found = jsonProblem(value[i], forbidKeys, depth + 1);
      if (found) return under(i, found);
    }
    return undefined;
  }
  if (proto !== Object.prototype && proto !== null) return problem('only plain objects are JSON (not Date, Map, class instances)');
  const keys = ownKeys(value);
  // JSON.stringify drops symbol keys and non-enumerable properties: refuse them rather than lose them silently.
  if (getOwnPropertySymbols(value).length !== 0 || getOwnPropertyNames(value).length !== keys.length) {
    return problem('symbol keys and non-enumerable properties are not JSON');
  }
  for (const key of keys) {
    if (forbidKeys && FORBIDDEN_KEYS.has(key)) return under(key, problem(`the key "${key}" is not allowed in session state`));
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    const found = jsonProblem(v, forbidKeys, depth + 1);
    if (found) return under(key, found);
  }
  return undefined;
}

/**
 * Serialize a value to JSON, refusing what JSON would silently change or
 * lose (see {@link jsonProblem}).
 *
 * @param depth as for {@link jsonProblem}.
 * @returns the JSON text, or `undefined` when the value is not lossless JSON.
 */
export function toLosslessJson(value: unknown, depth = 0): string | undefined {
  try {
    return jsonProblem(value, false, depth) === undefined ? JSON.stringify(value) : undefined;
  } catch {
    // A getter or proxy that throws: not a value we can seal.
    return undefined;
  }
}
