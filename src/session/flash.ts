/**
 * Flash values, checked one at a time: as JSON (always), and against the
 * store's `flashSchema` when it has one. A value is validated as the object
 * `{ [key]: value }`, so the schema is an object schema whose fields are all
 * optional (`z.object({ notice: z.string() }).partial()`): a key it does not
 * output (an unknown key a loose schema strips) is refused too.
 *
 * On write, a refused value throws `ERR_SESSION_INVALID`; on read, a
 * refused value (a cookie written before a deploy changed the schema) is
 * dropped alone and reported to `onInvalid` as `invalid-flash`.
 *
 * @module
 * @internal
 */
import type { SchemaIssue } from '../errors';
import { jsonObjectIssue, validateSync, type Json, type StandardSchemaV1 } from './schema';

export type FlashCheck = { readonly ok: true; readonly value: Json } | { readonly ok: false; readonly issues: readonly SchemaIssue[] };

/** The value to keep for `key` (the schema's output), or why it is refused. */
export function checkFlash(schema: StandardSchemaV1 | undefined, key: string, value: unknown): FlashCheck {
  // A computed key defines an own property (never the `__proto__` setter).
  const wrapped = { [key]: value };
  if (schema === undefined) {
    const problem = jsonObjectIssue(wrapped);
    return problem ? { ok: false, issues: [problem] } : { ok: true, value: value as Json };
  }
  const result = validateSync<unknown>(schema, wrapped, 'flashSchema');
  if (result.issues) return { ok: false, issues: result.issues };
  const out = result.value;
  if (out === null || typeof out !== 'object' || !Object.hasOwn(out, key)) {
    return { ok: false, issues: [{ message: `flashSchema has no field ${JSON.stringify(key)} (it did not output it)`, path: [key] }] };
  }
  const kept = (out as Record<string, unknown>)[key];
  const problem = jsonObjectIssue({ [key]: kept });
  return problem ? { ok: false, issues: [problem] } : { ok: true, value: kept as Json };
}

/**
 * The flash values of a loaded cookie that pass the schema; `undefined`
 * when none is left. Calls `dropped(key)` for each refused one.
 */
export function acceptedFlash(
  schema: StandardSchemaV1,
  flash: Readonly<Record<string, Json>>,
  dropped: (key: string) => void,
): Record<string, Json> | undefined {
  let kept: Record<string, Json> | undefined;
  for (const key of Object.keys(flash)) {
    const checked = checkFlash(schema, key, flash[key]);
    if (checked.ok) (kept ??= {})[key] = checked.value;
    else dropped(key);
  }
  return kept;
}
