/**
 * Next.js' real `cookies()` (from next/headers) without a Next server: runs
 * a function inside the request scope Next itself creates for a route
 * handler or a server action (`createRequestStoreForAPI`, phase `action`,
 * where cookies may be set), and returns what Next would send as Set-Cookie.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Next's async storages need the global AsyncLocalStorage its server installs before loading them. */
(globalThis as { AsyncLocalStorage?: unknown }).AsyncLocalStorage ??= AsyncLocalStorage;

const { cookies } = await import('next/headers');
const { workAsyncStorage } = await import('next/dist/server/app-render/work-async-storage.external');
const { workUnitAsyncStorage } = await import('next/dist/server/app-render/work-unit-async-storage.external');
const { createRequestStoreForAPI } = await import('next/dist/server/async-storage/request-store');

export { cookies };

/** Run `fn` as a route handler / server action of a request carrying `cookieHeader`; `sent`: the Set-Cookie values Next would send. */
export async function inNextRequest<T>(cookieHeader: string | undefined, fn: () => Promise<T>): Promise<{ result: T; sent: string[] }> {
  let sent: string[] = [];
  const headers = cookieHeader === undefined ? {} : { cookie: cookieHeader };
  const requestStore = createRequestStoreForAPI(
    { headers } as never,
    new URL('http://127.0.0.1/action') as never,
    undefined as never,
    (values: string[]) => (sent = values),
    undefined as never,
    undefined,
  );
  const workStore = { route: '/action', forceStatic: false, dynamicShouldError: false, isStaticGeneration: false };
  const result = await workAsyncStorage.run(workStore as never, () => workUnitAsyncStorage.run(requestStore as never, fn));
  return { result, sent };
}
