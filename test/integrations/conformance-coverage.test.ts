/**
 * Every integration runs the one conformance checklist, and the table in
 * docs/integrations/README.md says how much of it each passes: every
 * framework subpath export and both Next.js majors have an entry in
 * CONFORMANCE_RUNS whose test file runs `describeConformance` under that
 * name (so all nine steps run for it, a missing route failing its step), and
 * each row's Checklist cell and the notes under the table match the steps
 * that entry expects to fail.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './apps';
import { CONFORMANCE_RUNS, CONFORMANCE_STEPS, conformanceSteps, type ConformanceIntegration, type ConformanceRun, type ConformanceStep } from './conformance';

const runs = CONFORMANCE_RUNS as Record<ConformanceIntegration, ConformanceRun>;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
/** The framework integrations: subpath exports built from src/integrations/. */
const frameworks = Object.keys(pkg.exports)
  .map((key) => key.slice(2))
  .filter((name) => name !== '' && existsSync(join(ROOT, 'src/integrations', `${name}.ts`)));
const failing = (integration: ConformanceIntegration) => Object.keys(runs[integration].fails ?? {}) as ConformanceStep[];

/** The README's table rows: framework name, import, checklist cell. */
const readme = readFileSync(join(ROOT, 'docs/integrations/README.md'), 'utf8');
const rows = [...readme.matchAll(/^\| ([^|]+) \| `(sealed-session[^`]*)` \| [^|]+ \| ([^|]+) \| \[/gm)].map((m) => ({
  framework: m[1]!.trim(),
  import: m[2]!,
  checklist: m[3]!.trim(),
}));
/** The runs a row stands for: `sealed-session/<name>` is that integration; the core (`sealed-session`) is Next.js, both majors. */
const runsOf = (importPath: string): ConformanceIntegration[] =>
  importPath === 'sealed-session' ? ['next 15', 'next 16'] : [importPath.slice('sealed-session/'.length) as ConformanceIntegration];

describe('the conformance checklist', () => {
  it('has nine steps, from read to second call, each with its driver', () => {
    expect([...CONFORMANCE_STEPS]).toEqual(['read', 'write', 'commit once', 'renew', 'destroy', 'flash', 'oversize', 'tampered', 'second call']);
    expect(Object.keys(conformanceSteps)).toEqual([...CONFORMANCE_STEPS]);
  });

  it('runs for every framework subpath export and for Next.js 15 and 16, from the test file its entry names', () => {
    expect(Object.keys(runs).sort()).toEqual([...frameworks, 'next 15', 'next 16'].sort());
    for (const [integration, run] of Object.entries(runs)) {
      const source = readFileSync(join(ROOT, run.test), 'utf8');
      expect(source, `${run.test} runs the checklist as '${integration}'`).toContain(`describeConformance('${integration}',`);
      for (const [step, reason] of Object.entries(run.fails ?? {})) {
        expect(CONFORMANCE_STEPS, `${integration}: ${step}`).toContain(step);
        expect(reason.length, `${integration}: why ${step} fails`).toBeGreaterThan(20);
      }
    }
  });

  it("docs/integrations/README.md: one row per integration, whose Checklist cell is the steps it passes, and a note for each step it does not", () => {
    expect(rows.flatMap((r) => runsOf(r.import)).sort()).toEqual(Object.keys(runs).sort());
    for (const row of rows) {
      const [first, ...others] = runsOf(row.import).map(failing);
      // Both Next.js majors share a row: they must fail the same steps.
      for (const other of others) expect(other, row.framework).toEqual(first);
      const fails = first!;
      const passed = CONFORMANCE_STEPS.length - fails.length;
      const expected = `${passed} of ${CONFORMANCE_STEPS.length}${fails.length ? `: not ${fails.map((s) => `*${s}*`).join(', ')}` : ''}`;
      expect(row.checklist, row.framework).toBe(expected);
      const name = row.framework.replace(/ \d+( and \d+)?$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      for (const step of fails) expect(readme, `a note on ${row.framework}'s *${step}*`).toMatch(new RegExp(`^- ${name}[^,\\n]*, \\*${step}\\*: `, 'm'));
    }
    // No note for a step that passes.
    const notes = [...readme.matchAll(/^- ([^,\n]+), \*([^*]+)\*: /gm)].map((m) => `${m[1]} / ${m[2]}`);
    expect(notes).toHaveLength(rows.reduce((n, r) => n + failing(runsOf(r.import)[0]!).length, 0));
  });
});
