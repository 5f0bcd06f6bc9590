/**
 * Every status transition and what each one writes back (the actix-session
 * model, with its `update` gap fixed): unchanged, changed, purged, renewed,
 * lazy creation, commit twice, flash values.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CookieSessionStore } from '../../src/index';
import { Browser, SECRET, cookieNamed, rejection, request, thrown } from './helpers';

const schema = z.object({
  counter: z.number().int().default(0),
  userId: z.string().optional(),
  tags: z.array(z.string()).default([]),
});

const newStore = () => new CookieSessionStore({ keys: SECRET, schema });

/** A browser holding a session with userId 'ada' and counter 5; returns its id too. */
async function signedIn(store = newStore()) {
  const browser = new Browser();
  const r = await request(store, browser, (s) => {
    s.set('userId', 'ada');
    s.set('counter', 5);
  });
  return { store, browser, id: r.session.id, value: browser.get('session')! };
}

describe('lazy creation and unchanged', () => {
  it('a fresh, untouched session writes nothing', async () => {
    const store = newStore();
    const s = await store.load(undefined);
    expect(s.status).toBe('unchanged');
    expect(s.isNew).toBe(true);
    expect(s.invalidReason).toBeUndefined();
    expect(s.data).toEqual({ counter: 0, tags: [] });
    expect(await s.commit()).toEqual([]);
  });

  it('reading an existing session writes nothing', async () => {
    const { store, browser } = await signedIn();
    const r = await request(store, browser, (s) => [s.get('userId'), s.has('userId'), s.has('counter'), s.data]);
    expect(r.result).toEqual(['ada', true, true, { counter: 5, userId: 'ada', tags: [] }]);
    expect(r.session.status).toBe('unchanged');
    expect(r.setCookies).toEqual([]);
  });

  it('an empty or unrelated Cookie header is a fresh session, not an invalid one', async () => {
    const store = newStore();
    for (const header of [null, undefined, '', 'theme=dark; lang=en', 'sessionx=1; xsession=2']) {
      const s = await store.load(header);
      expect(s.isNew).toBe(true);
      expect(s.invalidReason).toBeUndefined();
      expect(await s.commit()).toEqual([]);
    }
  });
});

describe('changed', () => {
  it('set marks changed and the state reads back in a new load', async () => {
    const { store, browser, id } = await signedIn();
    const r = await request(store, browser, (s) => s.set('counter', 6));
    expect(r.session.status).toBe('changed');
    expect(cookieNamed(r.cookies, 'session').maxAge).toBeGreaterThan(0);
    const back = await store.load(browser.header());
    expect(back.get('counter')).toBe(6);
    expect(back.id).toBe(id);
    expect(back.isNew).toBe(false);
  });

  it('update marks changed (actix-session does not)', async () => {
    const { store, browser } = await signedIn();
    const r = await request(store, browser, (s) => s.update((d) => ({ ...d, tags: [...d.tags, 'x'] })));
    expect(r.session.status).toBe('changed');
    expect(r.setCookies).toHaveLength(1);
    expect((await store.load(browser.header())).get('tags')).toEqual(['x']);
  });

  it('a change to an empty state still sets a cookie (not a removal)', async () => {
    const store = new CookieSessionStore({ keys: SECRET });
    const browser = new Browser();
    await request(store, browser, (s) => s.set('a', 1));
    const r = await request(store, browser, (s) => s.remove('a'));
    expect(r.session.status).toBe('changed');
    expect(r.session.data).toEqual({});
    const c = cookieNamed(r.cookies, 'session');
    expect(c.value).not.toBe('');
    expect(c.maxAge).toBeGreaterThan(0);
    const back = await store.load(browser.header());
    expect(back.isNew).toBe(false);
    expect(back.data).toEqual({});
  });

  it('setting a fresh session to its defaults still creates it (an explicit write)', async () => {
    const store = newStore();
    const browser = new Browser();
    const r = await request(store, browser, (s) => s.set('counter', 0));
    expect(r.session.status).toBe('changed');
    expect(r.setCookies).toHaveLength(1);
  });

  it('remove and clear mark changed', async () => {
    const { store, browser, id } = await signedIn();
    const r1 = await request(store, browser, (s) => s.remove('userId'));
    expect(r1.session.status).toBe('changed');
    expect((await store.load(browser.header())).data).toEqual({ counter: 5, tags: [] });
    const r2 = await request(store, browser, (s) => s.clear());
    expect(r2.session.status).toBe('changed');
    const back = await store.load(browser.header());
    expect(back.data).toEqual({ counter: 0, tags: [] });
    // clear keeps the session id.
    expect(back.id).toBe(id);
  });
});

describe('purged (destroy)', () => {
  it('removes the cookie and later loads are fresh', async () => {
    const { store, browser } = await signedIn();
    const r = await request(store, browser, (s) => s.destroy());
    expect(r.session.status).toBe('purged');
    expect(r.session.data).toEqual({ counter: 0, tags: [] });
    expect(r.cookies.map((c) => [c.name, c.value, c.maxAge])).toEqual([['session', '', 0]]);
    expect(browser.header()).toBeUndefined();
  });

  it('destroy on a fresh session still sends a removal (harmless, and clears stale cookies on other paths)', async () => {
    const s = await newStore().load(undefined);
    s.destroy();
    const out = await s.commit();
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^session=; Max-Age=0/);
  });

  it('destroy then set starts a brand-new session: new id, old state gone, isNew', async () => {
    const { store, browser, id } = await signedIn();
    const r = await request(store, browser, (s) => {
      s.destroy();
      s.set('counter', 1);
    });
    expect(r.session.status).toBe('changed');
    expect(r.session.isNew).toBe(true);
    expect(r.session.id).not.toBe(id);
    expect(r.session.data).toEqual({ counter: 1, tags: [] });
    const c = cookieNamed(r.cookies, 'session');
    expect(c.maxAge).toBeGreaterThan(0);
    const back = await store.load(browser.header());
    expect(back.data).toEqual({ counter: 1, tags: [] });
    expect(back.get('userId')).toBeUndefined();
    expect(back.id).toBe(r.session.id);
  });

  it('destroy then update / flash / setTtl also start a new session without the old state', async () => {
    const { store, browser, id } = await signedIn();
    for (const write of [
      (s: Awaited<ReturnType<typeof store.load>>) => s.update((d) => ({ ...d, tags: ['n'] })),
      (s: Awaited<ReturnType<typeof store.load>>) => s.flash('notice', 'bye'),
      (s: Awaited<ReturnType<typeof store.load>>) => s.setTtl(3600),
    ]) {
      const s = await store.load(browser.header());
      s.destroy();
      write(s);
      expect(s.isNew).toBe(true);
      expect(s.id).not.toBe(id);
      expect(s.get('userId')).toBeUndefined();
      expect(s.get('counter')).toBe(0);
      const out = await s.commit();
      expect(out).toHaveLength(1);
      const back = await store.load(out[0]!.split(';')[0]);
      expect(back.get('userId')).toBeUndefined();
    }
  });

  it('destroy then renew gives a new, empty session that is written', async () => {
    const { store, browser, id } = await signedIn();
    const r = await request(store, browser, (s) => {
      s.destroy();
      s.renew();
    });
    expect(r.session.status).toBe('renewed');
    expect(r.session.id).not.toBe(id);
    expect(r.session.data).toEqual({ counter: 0, tags: [] });
    expect(cookieNamed(r.cookies, 'session').maxAge).toBeGreaterThan(0);
    const back = await store.load(browser.header());
    expect(back.data).toEqual({ counter: 0, tags: [] });
    expect(back.id).toBe(r.session.id);
  });

  it('touch after destroy does not resurrect the session', async () => {
    const { store, browser } = await signedIn();
    const r = await request(store, browser, (s) => {
      s.destroy();
      s.touch();
    });
    expect(r.session.status).toBe('purged');
    expect(r.cookies.map((c) => c.maxAge)).toEqual([0]);
  });
});

describe('renewed', () => {
  it('gives a new id and a new cookie value, keeps the state', async () => {
    const { store, browser, id, value } = await signedIn();
    const r = await request(store, browser, (s) => s.renew());
    expect(r.session.status).toBe('renewed');
    expect(r.session.id).not.toBe(id);
    const c = cookieNamed(r.cookies, 'session');
    expect(c.value).not.toBe(value);
    const back = await store.load(browser.header());
    expect(back.id).toBe(r.session.id);
    expect(back.data).toEqual({ counter: 5, userId: 'ada', tags: [] });
  });

  it('stays renewed through later set, update, remove and clear', async () => {
    const { store, browser, id } = await signedIn();
    const r = await request(store, browser, (s) => {
      s.renew();
      s.set('counter', 9);
      expect(s.status).toBe('renewed');
      s.update((d) => ({ ...d, tags: ['t'] }));
      expect(s.status).toBe('renewed');
      s.remove('userId');
      expect(s.status).toBe('renewed');
      s.clear();
      expect(s.status).toBe('renewed');
      s.set('userId', 'bob');
    });
    expect(r.session.status).toBe('renewed');
    const back = await store.load(browser.header());
    expect(back.id).toBe(r.session.id);
    expect(back.id).not.toBe(id);
    expect(back.data).toEqual({ counter: 0, tags: [], userId: 'bob' });
  });

  it('renew on a fresh session creates it', async () => {
    const store = newStore();
    const browser = new Browser();
    const r = await request(store, browser, (s) => s.renew());
    expect(r.setCookies).toHaveLength(1);
    expect((await store.load(browser.header())).isNew).toBe(false);
  });

  it('destroy after renew purges', async () => {
    const { store, browser } = await signedIn();
    const r = await request(store, browser, (s) => {
      s.renew();
      s.destroy();
    });
    expect(r.session.status).toBe('purged');
    expect(r.cookies.map((c) => c.maxAge)).toEqual([0]);
  });
});

describe('commit twice', () => {
  it('the second commit returns [] unless something changed again', async () => {
    const { store, browser } = await signedIn();
    const s = await store.load(browser.header());
    s.set('counter', 7);
    const first = await s.commit();
    expect(first).toHaveLength(1);
    expect(await s.commit()).toEqual([]);
    s.set('counter', 8);
    const third = await s.commit();
    expect(third).toHaveLength(1);
    expect(await s.commit()).toEqual([]);
    browser.apply(third);
    expect((await store.load(browser.header())).get('counter')).toBe(8);
  });

  it('a refused cookie is cleared once, not on every commit', async () => {
    const store = newStore();
    const s = await store.load('session=garbage');
    expect(s.invalidReason).toBe('malformed');
    expect(await s.commit()).toHaveLength(1);
    expect(await s.commit()).toEqual([]);
  });

  it('a commit the response could not take is not recorded: the next commit fails again, it does not return []', async () => {
    const { store } = await signedIn();
    // Response.redirect() has immutable headers: the adapter's write throws.
    const s = await store.handleSession(new Request('https://example.com/'), Response.redirect('https://example.com/next', 303));
    s.set('counter', 1);
    expect((await rejection(s.commit())).code).toBe('ERR_SESSION_ADAPTER');
    expect(s.status).toBe('changed');
    expect((await rejection(s.commit())).code).toBe('ERR_SESSION_ADAPTER');
  });

  it('after a failed write to the response, a later commit writes the same cookies', async () => {
    const { store, browser } = await signedIn();
    const s = await store.load(browser.header());
    const received: string[][] = [];
    let fail = true;
    s.attachSink({
      check() {},
      write(cookies) {
        if (fail) throw new Error('headers already sent');
        received.push(cookies.map((c) => c.header));
      },
    });
    s.set('counter', 9);
    await expect(s.commit()).rejects.toThrow('headers already sent');
    fail = false;
    const second = await s.commit();
    expect(second).toHaveLength(1);
    expect(received).toEqual([second]);
    expect(await s.commit()).toEqual([]);
    browser.apply(second);
    expect((await store.load(browser.header())).get('counter')).toBe(9);
  });

  it('destroy after a commit removes what the first commit wrote', async () => {
    const store = newStore();
    const browser = new Browser();
    const s = await store.load(undefined);
    s.set('counter', 1);
    browser.apply(await s.commit());
    s.destroy();
    browser.apply(await s.commit());
    expect(browser.header()).toBeUndefined();
  });
});

describe('flash', () => {
  it('set in one request, read once in the next, gone in the third', async () => {
    const store = newStore();
    const browser = new Browser();
    const r1 = await request(store, browser, (s) => {
      s.flash('notice', 'Saved!');
      // Not readable in the request that set it.
      return s.takeFlash('notice');
    });
    expect(r1.result).toBeUndefined();
    expect(r1.session.status).toBe('changed');

    const r2 = await request(store, browser, (s) => [s.takeFlash<string>('notice'), s.takeFlash('notice')]);
    expect(r2.result).toEqual(['Saved!', undefined]);
    // Taking a flash rewrites the cookie without it.
    expect(r2.setCookies).toHaveLength(1);

    const r3 = await request(store, browser, (s) => s.takeFlash('notice'));
    expect(r3.result).toBeUndefined();
    expect(r3.setCookies).toEqual([]);
  });

  it('an untaken flash survives unrelated requests; taking one leaves the others', async () => {
    const store = newStore();
    const browser = new Browser();
    await request(store, browser, (s) => {
      s.flash('a', 1);
      s.flash('b', { ok: true });
    });
    const r2 = await request(store, browser, (s) => s.get('counter'));
    expect(r2.setCookies).toEqual([]);
    expect((await request(store, browser, (s) => s.takeFlash('a'))).result).toBe(1);
    expect((await request(store, browser, (s) => [s.takeFlash('a'), s.takeFlash('b')])).result).toEqual([undefined, { ok: true }]);
  });

  it('a flash value that is not JSON is refused when flashed, and the session still commits', async () => {
    const store = newStore();
    const browser = new Browser();
    await request(store, browser, (s) => s.set('counter', 1));
    const s = await store.load(browser.header());
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, new Date(0), { when: new Date(0) }, () => 1]) {
      const err = thrown(() => s.flash('ratio', bad as never));
      expect(err.code).toBe('ERR_SESSION_INVALID');
      expect(err.issues?.length).toBeGreaterThan(0);
    }
    expect(s.status).toBe('unchanged');
    s.set('counter', 2);
    const out = await s.commit();
    expect(out).toHaveLength(1);
    browser.apply(out);
    expect((await store.load(browser.header())).takeFlash('ratio')).toBeUndefined();
  });

  it('flash values are not part of the state', async () => {
    const store = newStore();
    const browser = new Browser();
    await request(store, browser, (s) => s.flash('notice', 'x'));
    const s = await store.load(browser.header());
    expect(s.data).toEqual({ counter: 0, tags: [] });
  });
});

describe('touch', () => {
  it('re-issues an unchanged session without changing its status', async () => {
    const { store, browser, value } = await signedIn();
    const r = await request(store, browser, (s) => s.touch());
    expect(r.session.status).toBe('unchanged');
    const c = cookieNamed(r.cookies, 'session');
    expect(c.value).not.toBe(value);
    expect((await store.load(browser.header())).get('userId')).toBe('ada');
  });
});
