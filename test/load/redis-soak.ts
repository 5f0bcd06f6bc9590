/**
 * `npm run soak:redis`: the Redis load of redis.test.ts for 60 s
 * (SOAK_SECONDS to change; SOAK_CLIENTS, SOAK_SERVERS), 200 virtual browsers,
 * 4 app server processes. Exits 1 on any error or lost update.
 */
import { describeRedisLoad, redisLoadProblems, runRedisLoad } from './redis-harness';

const int = (name: string, fallback: number) => Number.parseInt(process.env[name] ?? '', 10) || fallback;
const report = await runRedisLoad({ seconds: int('SOAK_SECONDS', 60), clients: int('SOAK_CLIENTS', 200), servers: int('SOAK_SERVERS', 4) });
console.log(describeRedisLoad(report));
const failed = redisLoadProblems(report);
if (failed.length) {
  console.error(`soak:redis FAILED:\n${failed.join('\n')}`);
  process.exit(1);
}
console.log('soak:redis passed: no errors, no lost updates');
