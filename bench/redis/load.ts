/**
 * The load generator of the Redis benchmark, its own process:
 * `node bench/redis/load.ts` (tsx), reading `{ url, path, method, cookies,
 * seconds }` as JSON from argv[2]. autocannon, one connection per cookie
 * (each connection its own session, as real browsers), prints the result as
 * JSON: requests per second, non-2xx and errors.
 */
import autocannon from 'autocannon';

const { url, path, method, cookies, seconds } = JSON.parse(process.argv[2]!) as { url: string; path: string; method: 'GET' | 'POST'; cookies: string[]; seconds: number };
let next = 0;
const result = await autocannon({
  url,
  connections: cookies.length,
  duration: seconds,
  pipelining: 1,
  setupClient(client) {
    const cookie = cookies[next++ % cookies.length]!;
    client.setRequests([{ method, path, headers: { cookie } }]);
  },
});
console.log(JSON.stringify({ rps: result.requests.average, total: result.requests.total, bad: result.non2xx + result.errors + result.timeouts }));
