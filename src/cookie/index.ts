/**
 * The cookie codec: option validation, Set-Cookie serialisation and request
 * Cookie header scanning, following draft-ietf-httpbis-rfc6265bis.
 *
 * @module
 */

export type { CookieOptions, ResolvedCookieOptions, SameSite } from './options';
export { resolveCookieOptions } from './options';
export { serializeCookie, serializeRemoval } from './serialize';
export { clampMaxAge, EPOCH_EXPIRES } from './max-age';
export { findCookieGroup, parseCookieHeader } from './parse';
export { chunkCookieName } from './chunks';
export { isCookieName, isCookieValue } from './grammar';
export {
  MAX_AGE_CAP_SECONDS,
  MAX_ATTRIBUTE_VALUE_BYTES,
  MAX_CHUNKS,
  MAX_NAME_VALUE_BYTES,
  MIN_CHUNK_VALUE_BYTES,
} from './limits';
