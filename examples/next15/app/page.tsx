import { cookies } from 'next/headers';
import { store } from '../lib/session';
import { count, signIn, signOut, tooBig } from './actions';

export const dynamic = 'force-dynamic';

export default async function Home({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  const session = await store.handleSession(await cookies()); // read only in a server component
  const { error } = await searchParams;
  return (
    <main>
      <h1>Sealed sessions in Next.js 15</h1>
      {error && <p id="error">{error}</p>}
      <dl>
        <dt>User</dt>
        <dd id="user">{session.get('user') ?? 'nobody'}</dd>
        <dt>Count</dt>
        <dd id="count">{session.get('count')}</dd>
        <dt>Dropped cookie</dt>
        <dd id="invalid">{session.invalidReason ?? 'none'}</dd>
      </dl>
      <form action={signIn}>
        <input name="user" defaultValue="alice" aria-label="user" />
        <button id="login">Sign in</button>
      </form>
      <form action={count}>
        <button id="count-up">Count</button>
      </form>
      <form action={signOut}>
        <button id="logout">Sign out</button>
      </form>
      <form action={tooBig}>
        <button id="big">Too big</button>
      </form>
    </main>
  );
}
