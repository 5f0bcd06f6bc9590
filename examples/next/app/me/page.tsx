import { cookies } from 'next/headers';
import { store } from '../../lib/session';

/**
 * A server component reads the session but cannot write cookies: no commit.
 * (Changes belong in a server action, a route handler or the proxy.)
 */
export default async function Me() {
  const session = await store.handleSession(await cookies());
  return (
    <main>
      <h1>Me</h1>
      <dl>
        <dt>User</dt>
        <dd id="user">{session.get('userId') ?? 'nobody'}</dd>
        <dt>Count</dt>
        <dd id="count">{session.get('count')}</dd>
        <dt>Session id</dt>
        <dd id="session-id">{session.isNew ? 'none' : session.id}</dd>
        <dt>Refused cookie</dt>
        <dd id="invalid">{session.invalidReason ?? 'none'}</dd>
      </dl>
    </main>
  );
}
