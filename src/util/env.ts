/**
 * Whether `NODE_ENV` is `production`, read without ever throwing: Deno
 * without `--allow-env` throws `NotCapable` on any `process.env` read, and a
 * runtime without `process` has no environment at all. Unreadable counts as
 * not production (the one-line development warnings may then show).
 *
 * @module
 * @internal
 */
export function isProduction(): boolean {
  try {
    return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NODE_ENV === 'production';
  } catch {
    return false;
  }
}

/**
 * A Node.js built-in module (`node:crypto`, `node:zlib`…) through
 * `process.getBuiltinModule` (Node 20.16+, Bun, Deno), so no bundle holds a
 * `node:` import; `undefined` on a runtime without it, or where reaching it
 * throws.
 *
 * @internal
 */
export function nodeBuiltin<T>(id: string): T | undefined {
  try {
    return (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}
