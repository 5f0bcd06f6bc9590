/**
 * The README is for users first: what the library is, install and a quick
 * start open it; contributor commands sit in "## Development" at the end,
 * where the two set-up commands stay literally, and `.ci/run` runs the same
 * test command.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]!);
/** The text of a `## ` section, up to the next one. */
const section = (name: string) => readme.split(/^## /m).find((s) => s.startsWith(`${name}\n`)) ?? '';

test('it opens with the install and a quick start; Development comes after every user section', () => {
  expect(headings[0]).toBe('Install');
  expect(headings[1]).toMatch(/^Quick start/);
  const dev = headings.indexOf('Development');
  expect(dev).toBeGreaterThan(1);
  expect(headings.slice(dev + 1).every((h) => h === 'License' || h === 'API')).toBe(true);
  // Nothing before Development tells a user to clone, run the demo or the suite.
  const before = readme.slice(0, readme.indexOf('\n## Development'));
  expect(before).not.toContain('npm ci');
  expect(before).not.toContain('npm test');
  expect(before).not.toContain('CHROMIUM_PATH');
});

test('Development keeps the set-up commands literally, and names CHROMIUM_PATH; .ci/run runs the same npm test', () => {
  const dev = section('Development');
  expect(dev).toContain('npm ci && npm run demo');
  expect(dev).toMatch(/^npm test\b/m);
  expect(dev).toContain('CHROMIUM_PATH');
  expect(dev).toContain('@sparticuz/chromium');
  expect(dev).toContain('apt-get install -y redis-server');
  expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toMatch(/^npm ci\b/m);
  expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toMatch(/^npm test\b/m);
});
