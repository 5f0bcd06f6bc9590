/** Type tests against React Router's own types (checked by `react-router typegen && tsc`; no route imports this file). */
import type { Session } from 'react-router';
import type { z } from 'zod';
import { commitSession, getSession, type schema } from './sessions.server';

export async function check(request: Request) {
  const session = await getSession(request.headers.get('Cookie'));
  const asRouter: Session<z.output<typeof schema>, { notice: string }> = session;
  await commitSession(asRouter); // a React Router Session of the same types goes back in
  const notice: string | undefined = session.get('notice');
  const count: number | undefined = session.get('count');
  session.set('count', 1);
  session.flash('notice', 'saved');
  // @ts-expect-error count is a number in the schema
  session.set('count', 'one');
  // @ts-expect-error flash data is typed: notice is a string
  session.flash('notice', 1);
  // @ts-expect-error no such field
  session.set('cart', []);
  // The Request itself: the same React Router Session type, committed the same way.
  const shared: Session<z.output<typeof schema>, { notice: string }> = await getSession(request);
  await commitSession(shared);
  // @ts-expect-error the headers are not the request: pass the request, or headers.get('Cookie')
  await getSession(request.headers);
  return { notice, count };
}
