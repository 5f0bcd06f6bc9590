import { redirect } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
  const { session } = locals;
  return {
    user: session.get('user') ?? null,
    count: session.get('count'),
    notice: session.takeFlash<string>('notice') ?? null,
    invalidReason: session.invalidReason ?? null,
  };
};

export const actions: Actions = {
  login: async ({ request, locals: { session } }) => {
    const user = String((await request.formData()).get('user') ?? '');
    session.renew(); // new id at sign-in
    session.set('user', user);
    session.flash('notice', `Welcome, ${user}`);
    redirect(303, '/');
  },
  count: ({ locals: { session } }) => {
    session.set('count', session.get('count') + 1);
    redirect(303, '/');
  },
  big: ({ locals: { session } }) => {
    // More than the cookie budget: the hook's onError answers 413 and the browser keeps its cookie.
    session.set('note', 'x'.repeat(20_000));
    redirect(303, '/');
  },
  logout: ({ locals: { session } }) => {
    session.destroy();
    redirect(303, '/');
  },
};
