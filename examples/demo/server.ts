/**
 * `npm run demo`: read the environment, start the demo, print where it is.
 *
 * - `PORT` (default 3000), `HOST` (default 127.0.0.1).
 * - `SESSION_SECRET`: at least 32 characters. Without it a random key is made
 *   at start, so sessions do not survive a restart.
 * - `SECURE_COOKIE=0`: name the cookie `demo` and drop Secure. By default it
 *   is `__Host-demo` with Secure, which browsers accept from https and from
 *   http://localhost only (Chromium and Firefox treat localhost as secure;
 *   Safari does not). Use `SECURE_COOKIE=0` for Safari, or to open the demo
 *   over plain http on another host name.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isSessionError } from '../../src/index';
import { createDemoServer } from './app';

const port = Number.parseInt(process.env.PORT ?? '3000', 10);
const host = process.env.HOST ?? '127.0.0.1';
const secure = process.env.SECURE_COOKIE !== '0';

let secret = process.env.SESSION_SECRET;
if (!secret) {
  secret = randomBytes(32).toString('base64url');
  console.log('Note: no SESSION_SECRET set; using a random development key — sessions reset on restart.');
}

function build(key: string): Server {
  try {
    return createDemoServer({ secret: key, secure });
  } catch (err) {
    // A bad configuration (a SESSION_SECRET under 32 characters) fails here, saying what to change.
    console.error(isSessionError(err) ? err.message : err);
    process.exit(1);
  }
}

const server = build(secret);

server.listen(port, host);
await once(server, 'listening');
const { port: actual } = server.address() as AddressInfo;
const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '0.0.0.0' || host === '::';
const shown = loopback ? 'localhost' : host.includes(':') ? `[${host}]` : host;

console.log(`sealed-session demo: http://${shown}:${actual}`);
if (secure) {
  console.log(
    'Cookie __Host-demo (Secure). Browsers store it from https and http://localhost (Chromium, Firefox), not from plain http elsewhere; SECURE_COOKIE=0 names it "demo" without Secure.',
  );
  if (!loopback) console.log(`Warning: http://${shown}:${actual} is not localhost, so browsers will not store the Secure cookie; use SECURE_COOKIE=0 or put https in front.`);
} else {
  console.log('Cookie "demo" without Secure (SECURE_COOKIE=0): fine over plain http for a demo, never in production.');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
