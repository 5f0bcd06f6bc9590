/**
 * Entry point of the conformance suite for runtimes that run a file: Node,
 * Bun and Deno. `run.mjs` passes the Node 20 fixture as the first argument
 * (JSON); without one, the fixture is sealed here (then `interop.node20-fixture`
 * only proves this runtime opens its own tokens).
 *
 * Prints the report (see `conformance.mjs`) and exits 1 if a check failed.
 */
import { createFixture, formatReport, runConformance } from './conformance.mjs';

const args = globalThis.Deno?.args ?? globalThis.process.argv.slice(2);
const fixture = args[0] ? JSON.parse(args[0]) : await createFixture();
const report = await runConformance(fixture);
console.log(formatReport(report).trimEnd());

if (report.results.some((r) => !r.ok)) {
  if (globalThis.Deno) globalThis.Deno.exit(1);
  globalThis.process.exitCode = 1;
}
