/**
 * The demo app: node:http routing, one page, five form actions. Every action
 * is a POST answered with 303 to `/`, so reloading never posts twice; its
 * message travels to that page as a flash in the session, or, when the
 * session must not change (sign-out, a refused action), in the URL as a code.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isSessionError, type Session } from '../../src/index';
import { sentCookies, summarizeSetCookie } from './cookies';
import { HttpError, isSameOrigin, readForm, seeOther, sendHtml } from './http';
import { MAX_BYTES, MAX_CHUNKS, MAX_NAME_LENGTH, createDemoStore, newItems, type DemoFlash, type DemoState } from './store';
import { renderError, renderPage, type Notice } from './views';

/** Options of {@link createDemoServer}. */
export interface DemoServerOptions {
  /** The session secret, at least 32 characters. */
  readonly secret: string;
  /**
   * `true` (default): the cookie is `__Host-demo` with Secure, which browsers
   * store from https and from http://localhost. `false`: `demo` without
   * Secure, for plain http on any host name.
   */
  readonly secure?: boolean;
}

type DemoSession = Session<DemoState, DemoFlash>;

/** A form action: changes the session and returns where to send the browser. */
type Action = (session: DemoSession, form: URLSearchParams) => string;

/** The cookie that remembers this browser's choice of store (compressing or not); not part of the session. */
const COMPRESS_COOKIE = 'demo-compress';
const COMPRESS_ON = /(?:^|;)\s*demo-compress=1\s*(?:;|$)/;

/** How many items "Add 10 items" adds. */
const ITEMS_PER_ADD = 10;

const actions: Readonly<Record<string, Action>> = {
  '/sign-in'(session, form) {
    const name = (form.get('name') ?? '').trim();
    if (name.length === 0 || name.length > MAX_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) return '/?error=bad-name';
    // A new id at sign-in: an id handed out before (session fixation) is worthless now.
    session.renew();
    session.set('user', name);
    session.flash('notice', `Signed in as ${name}`);
    return '/';
  },
  '/sign-out'(session) {
    // The response deletes the cookie and every chunk. No flash: it would start a new session.
    session.destroy();
    return '/?notice=signed-out';
  },
  '/count'(session) {
    const count = session.get('count') + 1;
    session.set('count', count);
    session.flash('notice', `Counter is now ${count}`);
    return '/';
  },
  '/cart/add'(session) {
    session.update((s) => ({ ...s, cart: [...s.cart, ...newItems(s.cart.length, ITEMS_PER_ADD)] }));
    session.flash('notice', `Added ${ITEMS_PER_ADD} items; the cart holds ${session.get('cart').length}`);
    return '/';
  },
  '/cart/empty'(session) {
    session.set('cart', []);
    session.flash('notice', 'Cart emptied');
    return '/';
  },
};

/** Messages for the codes actions put in the URL; anything else in the query is ignored. */
function queryNotice(query: URLSearchParams): Notice | undefined {
  switch (query.get('error') ?? query.get('notice')) {
    case 'signed-out':
      return { kind: 'info', text: 'Signed out: the session cookie and all its chunks were deleted.' };
    case 'compression-on':
      return { kind: 'info', text: 'Compression on: the session was sealed again, compressed (see its cookies below).' };
    case 'compression-off':
      return { kind: 'info', text: 'Compression off: the session was sealed again, uncompressed (see its cookies below).' };
    case 'bad-name':
      return { kind: 'error', text: `Enter a name of 1 to ${MAX_NAME_LENGTH} characters.` };
    case 'too-large': {
      const need = Number.parseInt(query.get('need') ?? '', 10);
      const size = Number.isSafeInteger(need) && need > 0 ? ` (it would need ${need} bytes of cookies)` : '';
      return {
        kind: 'error',
        text: `That would make the session too large${size}: the budget is ${MAX_BYTES} bytes in at most ${MAX_CHUNKS} cookies. Nothing was changed; empty the cart to make room.`,
      };
    }
    default:
      return undefined;
  }
}

/** Host names whose plain-http pages Chromium and Firefox treat as secure, so they store Secure cookies from them. */
function isLoopbackHost(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${hostHeader}`).hostname;
  } catch {
    return false;
  }
  return hostname === 'localhost' || hostname.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(hostname) || hostname === '[::1]';
}

/**
 * The demo as a node:http server, not yet listening: `server.ts` listens on
 * PORT, tests on port 0.
 */
export function createDemoServer(options: DemoServerOptions): Server {
  const secure = options.secure ?? true;
  // Two stores, the same keys and cookie: one compresses, one does not. Either reads what the other wrote.
  const stores = {
    off: createDemoStore({ secret: options.secret, secure }),
    on: createDemoStore({ secret: options.secret, secure, compress: true }),
  };
  /** This browser's choice: the `demo-compress` cookie (not part of the session), off by default as in the library. */
  const compressionOn = (req: IncomingMessage): boolean => COMPRESS_ON.test(req.headers.cookie ?? '');
  const storeFor = (req: IncomingMessage) => (compressionOn(req) ? stores.on : stores.off);
  const store = stores.off;

  async function showPage(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    const session = await storeFor(req).handleSession(req, res);
    const flash = session.takeFlash('notice');
    // Commit before rendering, so the page can show what this response sets.
    const sets = (await session.commit()).map(summarizeSetCookie);
    const cart = session.get('cart');
    const html = renderPage({
      user: session.get('user'),
      count: session.get('count'),
      cart,
      cartBytes: Buffer.byteLength(JSON.stringify(cart)),
      notice: typeof flash === 'string' ? { kind: 'info', text: flash } : queryNotice(query),
      insecureOrigin: secure && !isLoopbackHost(req.headers.host) ? (req.headers.host ?? '(no Host header)') : undefined,
      config: { cookieName: store.cookieName, secure, maxChunks: MAX_CHUNKS, maxBytes: MAX_BYTES, compress: compressionOn(req) },
      session: {
        status: session.status,
        id: session.id,
        isNew: session.isNew,
        invalidReason: session.invalidReason,
        createdAt: session.createdAt,
        expiresAt: session.expiresAt,
        idleExpiresAt: session.idleExpiresAt,
      },
      sent: sentCookies(req.headers.cookie, store.cookieName),
      sets,
      now: Date.now(),
    });
    sendHtml(res, 200, html);
  }

  async function runAction(req: IncomingMessage, res: ServerResponse, action: Action): Promise<void> {
    if (!isSameOrigin(req)) throw new HttpError(403, 'This form was posted from another site.');
    const form = await readForm(req);
    const session = await storeFor(req).handleSession(req, res);
    const location = action(session, form);
    try {
      await session.commit();
    } catch (err) {
      if (!isSessionError(err, 'ERR_SESSION_TOO_LARGE')) throw err;
      // commit() threw before producing a cookie: the browser keeps the session it has.
      return seeOther(res, `/?error=too-large&need=${err.size?.measured ?? ''}`);
    }
    seeOther(res, location);
  }

  /** Switch this browser's store, and re-issue its session in the new form at once, so the panel shows the difference. */
  async function toggleCompression(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isSameOrigin(req)) throw new HttpError(403, 'This form was posted from another site.');
    await readForm(req);
    const on = !compressionOn(req);
    const session = await (on ? stores.on : stores.off).handleSession(req, res);
    session.touch();
    try {
      await session.commit();
    } catch (err) {
      if (!isSessionError(err, 'ERR_SESSION_TOO_LARGE')) throw err;
      // Uncompressed, this session would not fit: compression stays on.
      return seeOther(res, `/?error=too-large&need=${err.size?.measured ?? ''}`);
    }
    res.appendHeader('set-cookie', `${COMPRESS_COOKIE}=${on ? '1; Max-Age=31536000' : '; Max-Age=0'}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`);
    seeOther(res, `/?notice=${on ? 'compression-on' : 'compression-off'}`);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    if (url.pathname === '/') {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'Use GET.', { allow: 'GET, HEAD' });
      return showPage(req, res, url.searchParams);
    }
    if (url.pathname === '/compression') {
      if (req.method !== 'POST') throw new HttpError(405, 'Use the buttons on the page (POST).', { allow: 'POST' });
      return toggleCompression(req, res);
    }
    const action = Object.hasOwn(actions, url.pathname) ? actions[url.pathname] : undefined;
    if (!action) throw new HttpError(404, 'Not found.');
    if (req.method !== 'POST') throw new HttpError(405, 'Use the buttons on the page (POST).', { allow: 'POST' });
    return runAction(req, res, action);
  }

  return createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const known = err instanceof HttpError ? err : undefined;
      if (!known) console.error('demo: request failed:', err);
      if (res.headersSent) return void res.destroy();
      const status = known?.status ?? 500;
      sendHtml(res, status, renderError(status, known?.message ?? 'Something went wrong; see the server console.'), known?.headers);
    });
  });
}
