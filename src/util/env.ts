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
