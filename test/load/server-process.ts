/**
 * The server side of the load tests, run as its own process by `harness.ts`:
 * the demo app (examples/demo/app.ts) on 127.0.0.1, on a free port, with the
 * cookie named `demo` without Secure (plain http). Reports over IPC
 * `{ port }` once listening, then `{ rss, heap }` (bytes) every second, and
 * exits when the parent disconnects.
 *
 * Each sample follows a full garbage collection (the harness starts this
 * process with --expose-gc): without it, RSS over a 10 s run mostly shows
 * when V8 chose to collect (one CI run read +11 % from a heap that had not
 * been collected yet), not what the server keeps.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createDemoServer } from '../../examples/demo/app';

const server = createDemoServer({ secret: 'load-test-secret-0123456789abcdefghijklmnop', secure: false });
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1');
await once(server, 'listening');
process.send!({ port: (server.address() as AddressInfo).port });

const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error('server-process.ts needs --expose-gc');
const sampler = setInterval(() => {
  collect();
  const { rss, heapUsed } = process.memoryUsage();
  process.send!({ rss, heap: heapUsed });
}, 1000);
process.once('disconnect', () => {
  clearInterval(sampler);
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
