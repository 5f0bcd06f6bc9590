/**
 * The loader reads the session (and a flash notice, once); the action writes
 * it and redirects, with the Set-Cookie from commitSession / destroySession.
 */
import { Form, data, redirect, useLoaderData, type ActionFunctionArgs, type LoaderFunctionArgs } from 'react-router';
import { isSessionError } from 'sealed-session';
import { commitSession, destroySession, getSession, sealed } from '../sessions.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await getSession(request.headers.get('Cookie'));
  const notice = session.get('notice'); // string | undefined, gone after this request
  const view = {
    user: session.get('user') ?? null,
    count: session.get('count') ?? 0,
    notice: notice ?? null,
    invalidReason: sealed(session).invalidReason ?? null,
  };
  // Reading a flash value changes the session: commit so the browser forgets it.
  return notice === undefined ? view : data(view, { headers: { 'Set-Cookie': await commitSession(session) } });
}

export async function action({ request }: ActionFunctionArgs) {
  const session = await getSession(request.headers.get('Cookie'));
  const form = await request.formData();
  switch (form.get('intent')) {
    case 'login': {
      sealed(session).renew(); // new id at sign-in
      session.set('user', String(form.get('user') ?? ''));
      session.flash('notice', `Welcome, ${String(form.get('user'))}`);
      return redirect('/', { headers: { 'Set-Cookie': await commitSession(session) } });
    }
    case 'count': {
      session.set('count', (session.get('count') ?? 0) + 1);
      return redirect('/', { headers: { 'Set-Cookie': await commitSession(session) } });
    }
    case 'big': {
      // More than one cookie can hold: the app answers, the browser keeps its cookie.
      session.set('note', 'x'.repeat(Number(form.get('size') ?? 8000)));
      try {
        return redirect('/', { headers: { 'Set-Cookie': await commitSession(session) } });
      } catch (err) {
        if (isSessionError(err, 'ERR_SESSION_TOO_LARGE')) return data({ error: 'too-large' }, { status: 413 });
        throw err;
      }
    }
    case 'logout':
      return redirect('/', { headers: { 'Set-Cookie': await destroySession(session) } });
    default:
      return data({ error: 'unknown intent' }, { status: 400 });
  }
}

export default function Home() {
  const { user, count, notice, invalidReason } = useLoaderData<typeof loader>();
  return (
    <main>
      <h1>Sealed sessions in React Router</h1>
      {notice && <p id="notice">{notice}</p>}
      <dl>
        <dt>User</dt>
        <dd id="user">{user ?? 'nobody'}</dd>
        <dt>Count</dt>
        <dd id="count">{count}</dd>
        <dt>Dropped cookie</dt>
        <dd id="invalid">{invalidReason ?? 'none'}</dd>
      </dl>
      <Form method="post">
        <input name="user" defaultValue="alice" aria-label="user" />
        <button name="intent" value="login" id="login">Sign in</button>
        <button name="intent" value="count" id="count-up">Count</button>
        <button name="intent" value="logout" id="logout">Sign out</button>
      </Form>
      <Form method="post">
        <input type="hidden" name="size" value="8000" />
        <button name="intent" value="big" id="big">Too big</button>
      </Form>
    </main>
  );
}
