import type { APIRoute } from 'astro';

/** The form's endpoint: writes the session and redirects back (the middleware commits onto the redirect). */
export const POST: APIRoute = async ({ request, locals: { session }, redirect }) => {
  const form = await request.formData();
  switch (form.get('intent')) {
    case 'login': {
      const user = String(form.get('user') ?? '');
      session.renew(); // new id at sign-in
      session.set('user', user);
      session.flash('notice', `Welcome, ${user}`);
      break;
    }
    case 'count':
      session.set('count', session.get('count') + 1);
      break;
    case 'big':
      // More than the cookie budget: the middleware's onError answers 413 and the browser keeps its cookie.
      session.set('note', 'x'.repeat(20_000));
      break;
    case 'logout':
      session.destroy();
      break;
    default:
      return new Response('unknown intent', { status: 400 });
  }
  return redirect('/', 303);
};
