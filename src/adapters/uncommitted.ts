/**
 * Finding a forgotten `commit()` where no adapter commits by itself:
 * sessions from `store.fetch` (`handleSession(request…)`) and `store.next`
 * (`handleSession(await cookies())`). A session that changed and is
 * garbage-collected before a commit wrote the change never reached the
 * client: that is reported (`uncommitted`). The record the collector hands
 * back holds no reference to the session (or it could never be collected).
 *
 * Only while someone listens (an `onWarning` hook, or outside production):
 * registering costs the collector a little work per session.
 *
 * @module
 * @internal
 */
import type { ResolvedStoreOptions } from '../session/options';
import { reporting, warn } from './warn';

/** What is known of a tracked session: whether it holds a change no commit wrote. */
export interface Tracker {
  dirty: boolean;
  readonly options: ResolvedStoreOptions;
  readonly adapter: 'fetch' | 'cookie-store';
}

let registry: FinalizationRegistry<Tracker> | null | undefined;

function registryOf(): FinalizationRegistry<Tracker> | null {
  if (registry === undefined) registry = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry(collected) : null;
  return registry;
}

function collected(tracker: Tracker): void {
  if (tracker.dirty) warn(tracker.options, 'uncommitted', tracker.options.cookie.name, uncommittedMessage(tracker.adapter));
}

/** The message of an `uncommitted` warning. */
export function uncommittedMessage(adapter: 'fetch' | 'cookie-store' | 'withSession'): string {
  if (adapter === 'withSession') {
    return 'a withSession handler changed the session and returned Response.error(), which carries no cookies: the change was not sent';
  }
  const from = adapter === 'cookie-store' ? 'store.next(cookies) (handleSession(await cookies()))' : 'store.fetch(request) (handleSession(request…))';
  return `a session from ${from} changed and its request ended without a commit, so the client never got the change; await session.commit() before the response is sent${adapter === 'fetch' ? ', or use store.withSession(handler), which commits for you' : ''}`;
}

/** Watch `session` for a forgotten commit; `undefined` when nobody would be told. */
export function track(session: object, options: ResolvedStoreOptions, adapter: 'fetch' | 'cookie-store'): Tracker | undefined {
  if (!reporting(options)) return undefined;
  const r = registryOf();
  if (r === null) return undefined;
  const tracker: Tracker = { dirty: false, options, adapter };
  r.register(session, tracker, tracker);
  return tracker;
}

/** Stop watching: the session's fate is decided (an integration chose not to commit a failed request). */
export function untrack(tracker: Tracker | undefined): void {
  if (tracker === undefined) return;
  tracker.dirty = false;
  registry?.unregister(tracker);
}
