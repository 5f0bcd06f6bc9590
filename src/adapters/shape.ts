/**
 * Recognising the objects `handleSession` is given by their shape, the one
 * test every adapter's type guard is built from.
 *
 * @module
 * @internal
 */

/** Is `value` an object whose `names` are all functions (methods or getters)? */
export function hasMethods(value: unknown, ...names: readonly string[]): boolean {
  if (!value || typeof value !== 'object') return false;
  for (const name of names) if (typeof (value as Record<string, unknown>)[name] !== 'function') return false;
  return true;
}

/** The `headers` property of `value`, if it is an object. */
export function headersOf(value: unknown): unknown {
  return value && typeof value === 'object' ? (value as { headers?: unknown }).headers : undefined;
}
