/**
 * Naming of chunk cookies. A session too large for one cookie is split over
 * `name` (index 0), `name.1`, `name.2`, … `name.{maxChunks-1}`; indexes are one
 * or two decimal digits without a leading zero.
 *
 * @module
 */

import { configError } from '../errors';
import { MAX_CHUNKS } from './limits';

/**
 * Throw `ERR_CONFIG_OPTION` (option `maxChunks`) unless `maxChunks` is an
 * integer from 1 to {@link MAX_CHUNKS}.
 *
 * @example
 * ```ts
 * assertMaxChunks(4);   // ok
 * assertMaxChunks(0);   // throws SessionError ERR_CONFIG_OPTION
 * ```
 */
export function assertMaxChunks(maxChunks: number): void {
  if (!Number.isInteger(maxChunks) || maxChunks < 1 || maxChunks > MAX_CHUNKS) {
    throw configError(
      'ERR_CONFIG_OPTION',
      'maxChunks',
      `must be an integer from 1 to ${MAX_CHUNKS} (chunk cookies are named name.1 … name.${MAX_CHUNKS - 1}); set maxChunks within that range`,
    );
  }
}

/**
 * Name of the chunk cookie at `index`: `name` itself for 0, `name.<index>`
 * for 1 … 99 ({@link MAX_CHUNKS} − 1). Throws `ERR_CONFIG_OPTION` for any other index.
 *
 * @example
 * ```ts
 * chunkCookieName('session', 0); // 'session'
 * chunkCookieName('session', 2); // 'session.2'
 * ```
 */
export function chunkCookieName(name: string, index: number): string {
  if (index === 0) return name;
  if (!Number.isInteger(index) || index < 1 || index >= MAX_CHUNKS) {
    throw configError(
      'ERR_CONFIG_OPTION',
      'maxChunks',
      `chunk index must be an integer from 0 to ${MAX_CHUNKS - 1}; keep maxChunks at most ${MAX_CHUNKS}`,
    );
  }
  return `${name}.${index}`;
}

/**
 * Octets that the longest chunk suffix (`.<maxChunks-1>`) adds to a cookie
 * name: 0 when there are no chunk cookies, otherwise 2 or 3.
 *
 * @example
 * ```ts
 * chunkSuffixLength(1);   // 0  ('session')
 * chunkSuffixLength(4);   // 2  ('session.3')
 * chunkSuffixLength(100); // 3  ('session.99')
 * ```
 */
export function chunkSuffixLength(maxChunks: number): number {
  if (maxChunks <= 1) return 0;
  return maxChunks - 1 < 10 ? 2 : 3;
}
