/**
 * What the conformance checklist (test/integrations/conformance.ts) reads
 * back from the app's routes under /conformance: the session as JSON.
 */
import type { SessionOf } from 'sealed-session/astro';
import type { store } from './session';

/** More than the 6144-byte cookie budget once sealed. */
export const OVERSIZE_NOTE = 'x'.repeat(10_000);

export function readOf(session: SessionOf<typeof store>) {
  return {
    count: session.get('count'),
    note: session.get('note') ?? null,
    id: session.id,
    isNew: session.isNew,
    invalidReason: session.invalidReason ?? null,
  };
}
