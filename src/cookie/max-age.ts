/**
 * Max-Age normalisation and the matching Expires date.
 *
 * @module
 */

import { configError } from '../errors';
import { MAX_AGE_CAP_SECONDS } from './limits';

/**
 * The Expires value of a removal cookie: the Unix epoch as an RFC 9110 §5.6.7
 * IMF-fixdate.
 *
 * @example
 * ```ts
 * `Expires=${EPOCH_EXPIRES}`; // 'Expires=Thu, 01 Jan 1970 00:00:00 GMT'
 * ```
 */
export const EPOCH_EXPIRES = 'Thu, 01 Jan 1970 00:00:00 GMT';

/**
 * Normalise a lifetime in seconds to what a Max-Age attribute should carry:
 * a finite integer, rounded up (so any positive input gives at least 1 and a
 * short-lived cookie is never turned into a removal), zero for zero or negative
 * input, and at most {@link MAX_AGE_CAP_SECONDS} (RFC 6265bis §5.6.2: user
 * agents cap Max-Age at 400 days; `Infinity` also gives the cap).
 *
 * Throws `ERR_CONFIG_OPTION` (option `maxAge`) for `NaN` or a non-number.
 *
 * @example
 * ```ts
 * clampMaxAge(0.2);       // 1
 * clampMaxAge(3599.5);    // 3600
 * clampMaxAge(-5);        // 0
 * clampMaxAge(1e12);      // 34560000
 * ```
 */
export function clampMaxAge(seconds: number): number {
  if (typeof seconds !== 'number' || Number.isNaN(seconds)) {
    throw configError('ERR_CONFIG_OPTION', 'maxAge', 'must be a number of seconds; pass e.g. 86400 for one day, or leave it out for a browser-session cookie');
  }
  if (seconds <= 0) return 0;
  if (seconds >= MAX_AGE_CAP_SECONDS) return MAX_AGE_CAP_SECONDS;
  return Math.ceil(seconds);
}

/**
 * The RFC 9110 §5.6.7 IMF-fixdate `seconds` from `now` (milliseconds since the
 * epoch), as used by the Expires attribute.
 *
 * @example
 * ```ts
 * httpDate(0, 60); // 'Thu, 01 Jan 1970 00:01:00 GMT'
 * ```
 */
export function httpDate(now: number, seconds: number): string {
  // IMF-fixdate has whole seconds: format each second once (most responses
  // in a second share their expiry second).
  const second = Math.floor((now + seconds * 1000) / 1000);
  if (second !== lastSecond) {
    // ECMA-262 defines Date.prototype.toUTCString as exactly the IMF-fixdate form.
    lastDate = new Date(second * 1000).toUTCString();
    lastSecond = second;
  }
  return lastDate;
}

let lastSecond = Number.NaN;
let lastDate = '';
