/**
 * The SvelteKit `handle` hook and the Astro middleware in process, with Web
 * Requests and Responses: what they commit, onto which responses, and what
 * they do with a session error. The real apps (build, serve, Chromium) are
 * sveltekit.test.ts and astro.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore, type Session } from '../../src/index';
import { sealedSession as astroSession, type SealedSessionMiddlewareOptions, type SessionContext } from '../../src/integrations/astro';
import { sealedSession as kitSession, type SealedSessionHandleOptions, type SessionEvent } from '../../src/integrations/sveltekit';
import { expectOneSetCookiePerName, isDeletion, parseSetCookie } from '../helpers/jar';

const schema = z.object({ user: z.string().optional(), count: z.number().int().default(0), note: z.string().optional() });
type State = z.output<typeof schema>;
const store = new CookieSessionStore({ keys: 'hooks-test-secret-0123456789abcdef-0123', schema, cookie: { name: 'sid' } });
type Locals = { session: Session<State> };

/** The two integrations behind one signature: (request, locals, inner handler) → response. */
const flavours = {
  sveltekit: (options: SealedSessionHandleOptions<SessionEvent<State>> = {}) => {
    const handle = kitSession(store, options);
    return (request: Request, locals: Locals, inner: (locals: Locals) => Response | Promise<Response>) =>
      handle({ event: { request, locals }, resolve: (event) => inner(event.locals) });
  },
  astro: (options: SealedSessionMiddlewareOptions<SessionContext<State>> = {}) => {
    const middleware = astroSession(store, options);
    return (request: Request, locals: Locals, inner: (locals: Locals) => Response | Promise<Response>) =>
      middleware({ request, locals }, async () => inner(locals));
  },
};

const cookieOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .map(parseSetCookie)
    .filter((c) => !isDeletion(c))
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');

const request = (cookie?: string) => new Request('http://127.0.0.1/', cookie ? { headers: { cookie } } : {});

describe.each(Object.entries(flavours))('%s', (_name, make) => {
  it('puts the session on locals and commits what the app wrote onto its response, once per name', async () => {
    const run = make();
    const first = await run(request(), {} as Locals, ({ session }) => {
      session.set('count', session.get('count') + 1);
      return new Response('ok');
    });
    expect(expectOneSetCookiePerName(first.headers.getSetCookie())).toHaveLength(1);
    const second = await run(request(cookieOf(first)), {} as Locals, ({ session }) => Response.json(session.data));
    expect(await second.json()).toEqual({ count: 1 });
    expect(second.headers.getSetCookie()).toEqual([]); // only read: nothing sent
  });

  it('commits onto a redirect with immutable headers, and deletes the cookie on destroy', async () => {
    const run = make();
    const signedIn = await run(request(), {} as Locals, ({ session }) => {
      session.set('user', 'alice');
      return Response.redirect('http://127.0.0.1/home', 303);
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('http://127.0.0.1/home');
    const out = await run(request(cookieOf(signedIn)), {} as Locals, ({ session }) => {
      session.destroy();
      return new Response(null, { status: 204 });
    });
    const [deleted] = out.headers.getSetCookie().map(parseSetCookie);
    expect(deleted?.name).toBe('sid');
    expect(isDeletion(deleted!)).toBe(true);
  });

  it('a second one in the same request keeps the first’s session (one Set-Cookie)', async () => {
    const outer = make();
    const inner = make();
    const seen: Session<State>[] = [];
    const response = await outer(request(), {} as Locals, (locals) => {
      seen.push(locals.session);
      return inner(request(), locals, ({ session }) => {
        seen.push(session);
        session.set('count', 5);
        return new Response('ok');
      });
    });
    expect(seen[0]).toBe(seen[1]);
    expect(expectOneSetCookiePerName(response.headers.getSetCookie())).toHaveLength(1);
  });

  it('a tampered cookie gives an empty session whose invalidReason says why', async () => {
    const run = make();
    const first = await run(request(), {} as Locals, ({ session }) => {
      session.set('user', 'mallory');
      return new Response('ok');
    });
    const cookie = cookieOf(first);
    const tampered = cookie.slice(0, 40) + (cookie[40] === 'A' ? 'B' : 'A') + cookie.slice(41);
    const seen = await run(request(tampered), {} as Locals, ({ session }) => Response.json({ data: session.data, reason: session.invalidReason }));
    expect(await seen.json()).toEqual({ data: { count: 0 }, reason: 'tampered' });
  });

  it('too large: onError gives the app’s response (the old cookie stays); without onError the error propagates', async () => {
    const big = ({ session }: Locals) => {
      session.set('note', 'x'.repeat(20_000));
      return new Response('ok');
    };
    const handled = await make({ onError: (error) => new Response(error.code, { status: 413 }) })(request(), {} as Locals, big);
    expect(handled.status).toBe(413);
    expect(await handled.text()).toBe('ERR_SESSION_TOO_LARGE');
    expect(handled.headers.getSetCookie()).toEqual([]);
    await expect(make()(request(), {} as Locals, big)).rejects.toMatchObject({ code: 'ERR_SESSION_TOO_LARGE' });
  });

  it('an error of the app itself propagates, even with onError', async () => {
    const run = make({ onError: () => new Response('session', { status: 500 }) });
    await expect(
      run(request(), {} as Locals, () => {
        throw new Error('app bug');
      }),
    ).rejects.toThrow('app bug');
  });
});
