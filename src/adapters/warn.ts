/**
 * Reporting a {@link SessionWarning}: to the store's `onWarning` hook when
 * there is one (every occurrence, in every environment), else on
 * `console.warn`, once per process for each kind, and never when `NODE_ENV`
 * is `production`.
 *
 * @module
 * @internal
 */
import type { ResolvedStoreOptions, SessionWarning } from '../session/options';
import { isProduction } from '../util/env';

/** Kinds already printed by the default reporter in this process. */
const printed = new Set<string>();


/** Whether a warning would reach anyone (the hook, or the default reporter outside production). */
export function reporting(o: Pick<ResolvedStoreOptions, 'onWarning'>): boolean {
  return o.onWarning !== undefined || !isProduction();
}

export function warn(o: Pick<ResolvedStoreOptions, 'onWarning'>, code: SessionWarning['code'], cookie: string, message: string): void {
  const hook = o.onWarning;
  if (hook !== undefined) {
    try {
      hook({ code, cookie, message });
    } catch {
      // A logging hook must not break the request.
    }
    return;
  }
  if (printed.has(code) || isProduction()) return;
  printed.add(code);
  console.warn(`sealed-session (${code}): ${message} (printed once per process; a store's onWarning option receives every occurrence)`);
}

/** The message of a `cookie-conflict` warning. */
export function conflictMessage(name: string): string {
  return `the application set a Set-Cookie of its own for the session's cookie "${name}", so that value was sent and the session's was not; change the session through the session (destroy() to sign out), or give the other cookie another name`;
}
