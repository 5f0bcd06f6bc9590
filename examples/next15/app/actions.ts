'use server';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { isSessionError } from 'sealed-session';
import { store } from '../lib/session';

export async function count(): Promise<void> {
  const session = await store.handleSession(await cookies());
  session.set('count', session.get('count') + 1);
  await session.commit();
  redirect('/');
}

export async function signIn(form: FormData): Promise<void> {
  const session = await store.handleSession(await cookies());
  session.renew(); // new id at sign-in
  session.set('user', String(form.get('user') ?? ''));
  await session.commit();
  redirect('/');
}

export async function signOut(): Promise<void> {
  const session = await store.handleSession(await cookies());
  session.destroy();
  await session.commit();
  redirect('/');
}

/** More than the cookie budget: the app shows its own error, the browser keeps its cookie. */
export async function tooBig(): Promise<void> {
  const session = await store.handleSession(await cookies());
  session.set('note', 'x'.repeat(20_000));
  let error = '';
  try {
    await session.commit();
  } catch (err) {
    if (!isSessionError(err, 'ERR_SESSION_TOO_LARGE')) throw err;
    error = 'too-large';
  }
  redirect(error ? `/?error=${error}` : '/');
}
