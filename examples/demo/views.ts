/**
 * The demo's HTML, rendered on the server. Every value that a user or a
 * request controls goes through {@link escapeHtml}.
 *
 * @module
 */
import type { SentCookie, SetCookieSummary } from './cookies';
import type { CartItem } from './store';

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A message at the top of the page. */
export interface Notice {
  readonly kind: 'info' | 'error';
  readonly text: string;
}

/** Everything the page shows. */
export interface PageModel {
  readonly user: string | undefined;
  readonly count: number;
  readonly cart: readonly CartItem[];
  /** Octets of the cart as JSON, before sealing. */
  readonly cartBytes: number;
  readonly notice: Notice | undefined;
  /** Set when this browser is not going to store the Secure cookie. */
  readonly insecureOrigin: string | undefined;
  readonly config: {
    readonly cookieName: string;
    readonly secure: boolean;
    readonly maxChunks: number;
    readonly maxBytes: number;
    /** This browser's store compresses the state before sealing. */
    readonly compress: boolean;
  };
  readonly session: {
    readonly status: string;
    readonly id: string;
    readonly isNew: boolean;
    readonly invalidReason: string | undefined;
    readonly createdAt: number;
    readonly expiresAt: number;
    readonly idleExpiresAt: number | undefined;
  };
  readonly sent: readonly SentCookie[];
  readonly sets: readonly SetCookieSummary[];
  /** ms since the epoch, for "in 7 h 59 min". */
  readonly now: number;
}

const STYLE = `
  :root { color-scheme: light; --ink: #1d2433; --muted: #5b6475; --line: #dde2ea; --accent: #2456d6; --ok: #e7f6ec; --okline: #8fd0a4; --bad: #fdecec; --badline: #eb9a9a; --warn: #fff6dd; --warnline: #e5c466; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f4f6fa; }
  header { background: #1d2433; color: #fff; padding: 14px 24px; }
  header h1 { margin: 0; font-size: 18px; font-weight: 600; }
  header p { margin: 2px 0 0; color: #b9c2d3; font-size: 13px; }
  main { max-width: 980px; margin: 20px auto; padding: 0 16px; display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 16px; }
  section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; }
  section.wide { grid-column: 1 / -1; }
  h2 { margin: 0 0 8px; font-size: 15px; }
  p { margin: 6px 0; }
  .muted { color: var(--muted); font-size: 13px; }
  .big { font-size: 28px; font-weight: 600; margin: 4px 0 10px; }
  form { display: inline-flex; gap: 8px; margin: 4px 8px 4px 0; }
  form.wide { display: flex; margin-right: 0; }
  input[type=text] { flex: 1; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; font: inherit; min-width: 0; }
  button { padding: 6px 12px; border: 1px solid var(--accent); border-radius: 6px; background: var(--accent); color: #fff; font: inherit; cursor: pointer; white-space: nowrap; }
  button.secondary { background: #fff; color: var(--accent); }
  .notice { grid-column: 1 / -1; padding: 10px 14px; border-radius: 8px; border: 1px solid var(--okline); background: var(--ok); }
  .notice.error { border-color: var(--badline); background: var(--bad); }
  .notice.warn { border-color: var(--warnline); background: var(--warn); }
  table { border-collapse: collapse; width: 100%; font-size: 13px; table-layout: fixed; }
  col.name { width: 190px; } col.size { width: 110px; }
  th, td { text-align: left; padding: 4px 8px 4px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { color: var(--muted); font-weight: 500; white-space: nowrap; }
  code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; background: #f0f2f6; padding: 1px 4px; border-radius: 4px; overflow-wrap: anywhere; }
  .bar { height: 8px; background: #eef1f6; border-radius: 4px; overflow: hidden; margin: 6px 0; }
  .bar span { display: block; height: 100%; background: var(--accent); }
  ul.items { margin: 6px 0; padding-left: 18px; font-size: 13px; }
`;

function layout(body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sealed-session demo</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>sealed-session demo</h1><p>The whole session lives in encrypted cookies: no database, no server memory.</p></header>
<main>
${body}
</main>
</body>
</html>
`;
}

function button(action: string, label: string, secondary = false): string {
  return `<form method="post" action="${escapeHtml(action)}"><button${secondary ? ' class="secondary"' : ''}>${escapeHtml(label)}</button></form>`;
}

function time(ms: number | undefined, now: number): string {
  if (ms === undefined) return '<span class="muted">none</span>';
  const seconds = Math.round((ms - now) / 1000);
  const abs = Math.abs(seconds);
  const span = abs >= 3600 ? `${Math.floor(abs / 3600)} h ${Math.floor((abs % 3600) / 60)} min` : abs >= 60 ? `${Math.floor(abs / 60)} min` : `${abs} s`;
  const relative = seconds === 0 ? 'now' : seconds > 0 ? `in ${span}` : `${span} ago`;
  return `${escapeHtml(new Date(ms).toISOString())} <span class="muted">(${relative})</span>`;
}

function noticeView(notice: Notice | undefined): string {
  if (!notice) return '';
  return `<div class="notice${notice.kind === 'error' ? ' error' : ''}" role="status" data-kind="${notice.kind}">${escapeHtml(notice.text)}</div>`;
}

function insecureView(model: PageModel): string {
  if (model.insecureOrigin === undefined) return '';
  return `<div class="notice warn" role="alert">This page came over plain http from <code>${escapeHtml(model.insecureOrigin)}</code>.
Browsers store the Secure cookie <code>${escapeHtml(model.config.cookieName)}</code> only from https or from http://localhost,
so the session will not stick here. Open the demo at http://localhost, or restart it with <code>SECURE_COOKIE=0</code>.</div>`;
}

function accountView(model: PageModel): string {
  const body = model.user
    ? `<p>Signed in as <strong data-testid="user">${escapeHtml(model.user)}</strong>.</p>${button('/sign-out', 'Sign out', true)}
<p class="muted">Signing out deletes the session cookie and every chunk.</p>`
    : `<p>Not signed in.</p>
<form class="wide" method="post" action="/sign-in"><input type="text" name="name" placeholder="Your name" maxlength="40" required aria-label="Name"><button>Sign in</button></form>
<p class="muted">Signing in calls <code>session.renew()</code>: a new session id, so an id seen before sign-in is worthless after it.</p>`;
  return `<section><h2>Account</h2>${body}</section>`;
}

function counterView(model: PageModel): string {
  return `<section><h2>Counter</h2><p class="big" data-testid="count">${model.count}</p>${button('/count', '+1')}
<p class="muted">Stored in the session: it survives reloads and new tabs.</p></section>`;
}

function cartView(model: PageModel): string {
  const { cart, cartBytes, config } = model;
  const sessionBytes = model.sets.some((c) => !c.deleted)
    ? model.sets.filter((c) => !c.deleted).reduce((sum, c) => sum + c.bytes, 0)
    : model.sent.filter((c) => c.ours).reduce((sum, c) => sum + c.bytes, 0);
  const percent = Math.min(100, Math.round((sessionBytes / config.maxBytes) * 100));
  const last = cart.slice(-3).reverse();
  const items = last.length
    ? `<ul class="items">${last.map((i) => `<li><code>${escapeHtml(i.sku)}</code> ${escapeHtml(i.title)} × ${i.qty}</li>`).join('')}${cart.length > last.length ? `<li class="muted">… and ${cart.length - last.length} more</li>` : ''}</ul>`
    : '<p class="muted">Empty.</p>';
  return `<section><h2>Cart</h2>
<p class="big"><span data-testid="cart-count">${cart.length}</span> items</p>
<p class="muted">${cartBytes} bytes of JSON; the session's cookies take ${sessionBytes} of the ${config.maxBytes}-byte budget (${percent}%), in up to ${config.maxChunks} cookies.</p>
<div class="bar"><span style="width:${percent}%"></span></div>
${items}
${button('/cart/add', 'Add 10 items')}${button('/cart/empty', 'Empty cart', true)}
<p class="muted">Past 4 KB the session spreads over <code>${escapeHtml(config.cookieName)}.1</code>, <code>.2</code>. Over the budget, <code>commit()</code> throws <code>ERR_SESSION_TOO_LARGE</code> before writing anything, so the browser keeps its previous session.</p>
</section>`;
}

function compressionView(model: PageModel): string {
  const on = model.config.compress;
  return `<section><h2>Compression</h2>
<p class="big" data-testid="compression">${on ? 'on' : 'off'}</p>
${button('/compression', on ? 'Turn compression off' : 'Turn compression on', on)}
<p class="muted">With <code>compress: true</code> the store deflates the state before sealing when that makes it smaller: the repetitive cart shrinks about tenfold, so 140 items fit one cookie instead of three (watch the cookies below). Off by default: compressing secrets next to data an attacker chooses leaks them through the cookie's length (see SECURITY.md).</p>
</section>`;
}

function row(label: string, value: string): string {
  return `<tr><th>${escapeHtml(label)}</th><td>${value}</td></tr>`;
}

function cookiesTable(rows: readonly { name: string; bytes: number; note: string }[], empty: string): string {
  if (!rows.length) return `<p class="muted">${escapeHtml(empty)}</p>`;
  return `<table><colgroup><col class="name"><col class="size"><col></colgroup><tr><th>name</th><th>name + value</th><th></th></tr>${rows
    .map((r) => `<tr><td><code>${escapeHtml(r.name)}</code></td><td>${r.bytes} B</td><td class="muted">${escapeHtml(r.note)}</td></tr>`)
    .join('')}</table>`;
}

const STATUS_NOTES: Readonly<Record<string, string>> = {
  unchanged: 'nothing to write on this request',
  changed: 'the session changed on this request (showing a flash message removes it), so it is sealed again',
  renewed: 'a new id was given on this request',
  purged: 'the session was destroyed on this request',
};

function statusView(model: PageModel): string {
  const s = model.session;
  const { config } = model;
  const sentBytes = model.sent.reduce((sum, c) => sum + c.bytes, 0);
  return `<section class="wide"><h2>Session status</h2>
<table data-testid="status"><colgroup><col class="name"><col></colgroup>
${row('status', `<code>${escapeHtml(s.status)}</code> <span class="muted">${escapeHtml(STATUS_NOTES[s.status] ?? '')}</span>`)}
${row('id', `<code>${escapeHtml(s.id)}</code>`)}
${row('isNew', `${s.isNew}${s.isNew && !model.sets.some((c) => !c.deleted) ? ' <span class="muted">(nothing stored yet: an empty session sets no cookie)</span>' : ''}`)}
${row('invalidReason', s.invalidReason === undefined ? '<span class="muted">none</span>' : `<code>${escapeHtml(s.invalidReason)}</code>`)}
${row('createdAt', time(s.createdAt, model.now))}
${row('expiresAt', time(s.expiresAt, model.now))}
${row('idleExpiresAt', time(s.idleExpiresAt, model.now))}
</table>
<h2 style="margin-top:14px">Cookies the browser sent <span class="muted">(${model.sent.length}, ${sentBytes} B)</span></h2>
${cookiesTable(
  model.sent.map((c) => ({ name: c.name, bytes: c.bytes, note: c.ours ? 'session' : '' })),
  'None.',
)}
<h2 style="margin-top:14px">Set-Cookie on this response</h2>
${cookiesTable(
  model.sets.map((c) => ({ name: c.name, bytes: c.bytes, note: c.deleted ? 'deleted (Max-Age=0)' : c.attributes })),
  'Nothing: the session did not change on this request.',
)}
<p class="muted">Cookie <code>${escapeHtml(config.cookieName)}</code>${config.secure ? ', Secure' : ' (without Secure)'}, HttpOnly, SameSite=Lax, Path=/.
Lifetime 8 hours, idle timeout 30 minutes; sizes count the name and value, which browsers cap at 4096 bytes per cookie.</p>
</section>`;
}

/** The one page of the demo. */
export function renderPage(model: PageModel): string {
  return layout(
    [noticeView(model.notice), insecureView(model), accountView(model), counterView(model), cartView(model), compressionView(model), statusView(model)]
      .filter(Boolean)
      .join('\n'),
  );
}

/** A bare error page (404, 405, 500…). */
export function renderError(status: number, message: string): string {
  return layout(`<section class="wide"><h2>${status}</h2><p>${escapeHtml(message)}</p><p><a href="/">Back to the demo</a></p></section>`);
}
