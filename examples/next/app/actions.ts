'use server';
/**
 * Server actions: they may write cookies, through `await cookies()`.
 */
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { store } from '../lib/session';

/** Sign in as the form's `userId`: a new session id (renew), then the user. */
export async function signIn(formData: FormData): Promise<void> {
  const userId = formData.get('userId');
  if (typeof userId !== 'string' || userId.trim() === '') redirect('/?error=userId');
  const session = await store.handleSession(await cookies());
  session.renew();
  session.set('userId', userId.trim());
  await session.commit();
  redirect('/me');
}

/** Sign out: the response removes the session cookie. */
export async function signOut(): Promise<void> {
  const session = await store.handleSession(await cookies());
  session.destroy();
  await session.commit();
  redirect('/me');
}
