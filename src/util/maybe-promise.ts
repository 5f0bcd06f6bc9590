/**
 * Values that are there now or later: the node:crypto engine answers
 * synchronously, WebCrypto asynchronously, and every layer above passes the
 * answer on without adding a promise hop where none is needed.
 *
 * @module
 */

/** A value now or later: the node engine answers synchronously, WebCrypto asynchronously. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Is this a promise (any thenable)? Not `instanceof Promise`: runtimes such as
 * Vercel's edge-runtime hand out promises from another realm, which fail that
 * test — and a promise mistaken for a value is truthy, so a MAC check reading
 * it would pass. Every "is it ready yet?" test in the library goes through here.
 */
export function isPromiseLike<T>(value: MaybePromise<T> | PromiseLike<T>): value is Promise<T> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/** Apply `fn` to a value that may be a promise, synchronously when it is not. */
export function after<A, R>(a: MaybePromise<A>, fn: (a: A) => MaybePromise<R>): MaybePromise<R> {
  return isPromiseLike(a) ? Promise.resolve(a).then(fn) : fn(a);
}

/**
 * Combine two values that may be promises without adding an async hop when
 * both are already there (the node:crypto path stays synchronous).
 */
export function then2<A, B, R>(a: MaybePromise<A>, b: MaybePromise<B>, fn: (a: A, b: B) => MaybePromise<R>): MaybePromise<R> {
  if (isPromiseLike(a) || isPromiseLike(b)) return Promise.all([a, b]).then(([x, y]) => fn(x, y));
  return fn(a, b);
}
