import { cookies } from 'next/headers';
import { store } from '../../lib/session';

/**
 * Rendered after `proxy.ts` counted the visit. The proxy wrote the session
 * through `NextResponse#cookies`, which Next.js also hands to this render's
 * `cookies()`: the page sees the value of this very request.
 */
export default async function ViaProxy() {
  const session = await store.handleSession(await cookies());
  return (
    <main>
      <h1>Visits counted by the proxy</h1>
      <p id="visits">{session.get('visitedViaMiddleware')}</p>
    </main>
  );
}
