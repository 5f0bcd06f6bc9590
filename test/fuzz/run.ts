/**
 * The long fuzz run: `npm run fuzz`.
 *
 * At least 1,000,000 cases (FUZZ_CASES to change; FUZZ_SEED to replay), 90 %
 * mutations of real sessions and 10 % junk, each through `store.load`,
 * `store.handleSession(new Request(...))` and the node:http adapter, checked
 * with the property in `cookies.ts`. Prints the count per outcome
 * (`invalidReason`), the rate and the total time; exits 1 on the first
 * counterexample (fast-check prints it, shrunk, with the seed to replay).
 */
import fc from 'fast-check';
import { buildHeader, checkAllPaths, createWorld, junkArb, mutationArb, Tally } from './cookies';

const TOTAL = Number.parseInt(process.env.FUZZ_CASES ?? '', 10) || 1_000_000;
const BATCHES = 20;
const seed = Number.parseInt(process.env.FUZZ_SEED ?? '', 10) || Date.now() % 2 ** 31;

const world = await createWorld();
const tally = new Tally();
const input = fc.oneof(
  { weight: 9, arbitrary: mutationArb.map((c) => buildHeader(world, c)) },
  { weight: 1, arbitrary: junkArb },
);

console.log(`fuzzing ${TOTAL.toLocaleString('en')} cases, seed ${seed} (FUZZ_SEED=${seed} to replay)`);
const started = performance.now();
const perBatch = Math.ceil(TOTAL / BATCHES);
for (let batch = 0; batch * perBatch < TOTAL; batch++) {
  const numRuns = Math.min(perBatch, TOTAL - batch * perBatch);
  await fc.assert(
    fc.asyncProperty(input, async (header) => {
      const { verdict, web } = await checkAllPaths(world, header);
      tally.add(verdict, web);
    }),
    { numRuns, seed: seed + batch, endOnFailure: false },
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(`  ${tally.cases.toLocaleString('en').padStart(10)} cases, ${seconds.toFixed(1)} s, ${Math.round(tally.cases / seconds)} cases/s`);
}

const seconds = (performance.now() - started) / 1000;
console.log(`\n${tally.cases.toLocaleString('en')} cases in ${seconds.toFixed(1)} s (${Math.round(tally.cases / seconds).toLocaleString('en')} cases/s, 3 paths each)`);
console.log(`not representable in a Fetch Headers (Web path skipped): ${tally.notForWeb.toLocaleString('en')}`);
console.log('outcome           cases');
for (const [verdict, count] of tally.rows()) console.log(`${verdict.padEnd(16)} ${count.toLocaleString('en').padStart(10)}`);
console.log('\nno exception escaped; no mutated header read as any state but the one whose token it carries');
