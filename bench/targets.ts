/**
 * Every target a benchmark checks, collected as the modules run, so that
 * `npm run bench` ends with one table of them all (issue 5's "one table
 * with ratios"). Modules still print their own detailed tables.
 */
export interface Target {
  /** Which module measured it. */
  readonly module: string;
  readonly what: string;
  /** The measured value as printed, e.g. `51.2x` or `+37.0 MB`. */
  readonly measured: string;
  /** The target as printed, e.g. `≥ 40x`. */
  readonly target: string;
  readonly met: boolean;
}

const targets: Target[] = [];

/** Record a checked target (called by the modules as they print their tables). */
export function recordTarget(target: Target): void {
  targets.push(target);
}

/** The summary table, or nothing when no module recorded a target. */
export function summary(): string {
  if (targets.length === 0) return '';
  const rows = targets.map((t) => `| ${t.module} | ${t.what} | ${t.measured} | ${t.target} | ${t.met ? 'yes' : 'NO'} |`);
  const met = targets.filter((t) => t.met).length;
  return ['| module | target | measured | target | met |', '|---|---|---:|---|---|', ...rows, '', `${met} of ${targets.length} targets met`].join('\n');
}
