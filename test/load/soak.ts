/**
 * `npm run soak`: the load of load.test.ts for 60 s (SOAK_SECONDS to change),
 * 100 virtual browsers. Prints req/s, errors, lost updates and the server's
 * RSS and heap trends; exits 1 when any of them is wrong.
 */
import { describeReport, problems, runLoad } from './harness';

const seconds = Number.parseInt(process.env.SOAK_SECONDS ?? '', 10) || 60;
const report = await runLoad({ seconds, connections: 100, warmupSeconds: Math.min(10, Math.floor(seconds / 4)) });
console.log(describeReport(report));
const failed = problems(report);
if (failed.length) {
  console.error(`soak FAILED:\n${failed.join('\n')}`);
  process.exit(1);
}
console.log('soak passed: no errors, no lost updates, RSS and live heap grew by no more than 10 % after warm-up');
