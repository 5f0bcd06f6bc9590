/**
 * The server side of the load tests, run as its own process by `harness.ts`:
 * the demo app (examples/demo/app.ts) on 127.0.0.1, on a free port, with the
 * cookie named `demo` without Secure (plain http). Reports over IPC
 * `{ port }` once listening, then `{ rss }` (bytes) every second, and exits
 * when the parent disconnects.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createDemoServer } from '../../examples/demo/app';

const server = createDemoServer({ secret: 'load-test-secret-0123456789abcdefghijklmnop', secure: false });
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1');
await once(server, 'listening');
process.send!({ port: (server.address() as AddressInfo).port });

const sampler = setInterval(() => process.send!({ rss: process.memoryUsage.rss() }), 1000);
process.once('disconnect', () => {
  clearInterval(sampler);
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
