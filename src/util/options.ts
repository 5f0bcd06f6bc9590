/**
 * Guards shared by every public entry that takes an options object.
 *
 * @module
 * @internal
 */
import { configError } from '../errors';

/**
 * Throw `ERR_CONFIG_OPTION` (option `options`) unless `options` is an object:
 * the guard of every public function that takes an options object, so that a
 * missing one is a `SessionError`, never a `TypeError`.
 *
 * @internal
 */
export function requireOptions(options: unknown, hint = 'pass an object, at least { keys }'): void {
  if (!options || typeof options !== 'object') throw configError('ERR_CONFIG_OPTION', 'options', hint);
}
