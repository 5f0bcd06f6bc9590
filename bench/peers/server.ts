/**
 * One contender of the peer benchmark behind node:http, started in its own
 * process by `bench/peers.ts`: `node --import tsx bench/peers/server.ts <key>`.
 * Every request runs the contender's `roundTrip` (read the Cookie header,
 * `count += 1`, Set-Cookie), then `res.end('ok')`. Prints `PORT <n> COOKIE <cookie>`
 * once listening on 127.0.0.1.
 */
import { createServer } from 'node:http';
import { makeContender } from './contenders';

const contender = await makeContender(process.argv[2] ?? '');
const server = createServer((req, res) => {
  Promise.resolve(contender.roundTrip(req, res)).then(
    () => res.end('ok'),
    (err: unknown) => {
      console.error(err);
      res.statusCode = 500;
      res.end();
    },
  );
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`PORT ${typeof address === 'object' && address ? address.port : 0} COOKIE ${contender.cookie}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
