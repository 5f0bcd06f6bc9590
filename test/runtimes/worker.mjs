/**
 * Entry point of the conformance suite for Fetch-event runtimes (workerd, the
 * edge runtime), bundled by `run.mjs` with esbuild into one script. A POST
 * whose body is the Node 20 fixture (JSON) runs every check; the response is
 * the report text (see `conformance.mjs`), status 500 if a check failed.
 */
import { formatReport, runConformance } from './conformance.mjs';

export default {
  /** @param {Request} request */
  async fetch(request) {
    const report = await runConformance(await request.json());
    const failed = report.results.some((r) => !r.ok);
    return new Response(formatReport(report), { status: failed ? 500 : 200, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  },
};
