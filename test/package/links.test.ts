/**
 * The Markdown the npm package ships (README, SECURITY, the guides in docs/)
 * has no dead link for someone who installed it: scripts/check-links.mjs,
 * which `npm run check:package` also runs on the installed tarball. Here the
 * shipped files are the ones `npm pack --dry-run` lists, and probes show the
 * check fails on each kind of broken link.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { REPOSITORY, checkLinks, headingIds, markdownLinks } from '../../scripts/check-links.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A package directory holding these files. */
function packageDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'links-'));
  made.push(dir);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

/** What `npm pack` would put in the tarball. */
function shippedFiles(): string[] {
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  const [pack] = JSON.parse(result.stdout.replace(/^[^[]*/, '')) as [{ files: { path: string }[] }];
  return pack.files.map((f) => f.path);
}

describe('the shipped Markdown', () => {
  test('ships the README, SECURITY.md and the guides in docs/ and docs/integrations/, not the generated API reference', () => {
    const files = shippedFiles();
    expect(files).toEqual(expect.arrayContaining(['README.md', 'SECURITY.md', 'LICENSE', 'docs/nextjs.md', 'docs/node-express.md', 'docs/key-rotation.md', 'docs/ttl.md', 'docs/migrate-from-iron-session.md', 'docs/security.md', 'docs/integrations/README.md', 'docs/integrations/express.md']));
    expect(files.filter((f) => f.startsWith('docs/') && !/^docs\/(integrations\/)?[^/]+\.md$/.test(f))).toEqual([]);
  });

  test('every link in it resolves inside the package, or is absolute (and links into the repository name files it has)', () => {
    const files = shippedFiles();
    const dir = mkdtempSync(join(tmpdir(), 'links-shipped-'));
    made.push(dir);
    for (const file of files) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      if (file.endsWith('.md')) copyFileSync(join(ROOT, file), join(dir, file));
      else writeFileSync(join(dir, file), '');
    }
    expect(checkLinks(dir, { repoRoot: ROOT })).toEqual([]);
    // It did read links: the README's guides and its anchors.
    const readme = markdownLinks(readFileSync(join(dir, 'README.md'), 'utf8')).map((l) => l.target);
    expect(readme).toEqual(expect.arrayContaining(['docs/nextjs.md', '#performance', 'SECURITY.md']));
  });
});

describe('a broken link fails the check', () => {
  const good = `# Guide\n\n## A heading, with: punctuation\n\ntext\n`;

  test('each kind of broken link is reported with its file and line; good links and code are not', () => {
    const dir = packageDir({
      'docs/guide.md': good,
      'dist/index.js': '',
      'README.md': [
        '# Title',
        '## The heading',
        '[ok guide](docs/guide.md) [ok anchor](docs/guide.md#a-heading-with-punctuation) [ok here](#the-heading) [ok dir](dist)',
        '[ok abs](https://example.com/x) [ok mail](mailto:a@example.com) [ok repo](' + REPOSITORY + '/blob/main/README.md)',
        '```md',
        '[in code](nowhere.md)',
        '```',
        'and `[inline](nowhere.md)` code',
        '[missing](docs/missing.md)',
        '[not shipped](examples/next)',
        '[outside](../outside.md)',
        '[bad anchor](#no-such-heading) [bad anchor there](docs/guide.md#nope)',
        '![image](img/logo.png)',
        '[ref]: CHANGELOG.md',
        '<a href="docs/gone.md">html</a>',
        '[repo gone](' + REPOSITORY + '/blob/main/no/such/file.md)',
      ].join('\n'),
    });
    expect(checkLinks(dir, { repoRoot: ROOT })).toEqual([
      `README.md:9: docs/missing.md: docs/missing.md is not in the package (ship it, or link to ${REPOSITORY}/blob/main/docs/missing.md)`,
      `README.md:10: examples/next: examples/next is not in the package (ship it, or link to ${REPOSITORY}/blob/main/examples/next)`,
      'README.md:11: ../outside.md: points outside the package',
      'README.md:12: #no-such-heading: README.md has no heading #no-such-heading',
      'README.md:12: docs/guide.md#nope: docs/guide.md has no heading #nope',
      `README.md:13: img/logo.png: img/logo.png is not in the package (ship it, or link to ${REPOSITORY}/blob/main/img/logo.png)`,
      `README.md:14: CHANGELOG.md: CHANGELOG.md is not in the package (ship it, or link to ${REPOSITORY}/blob/main/CHANGELOG.md)`,
      `README.md:15: docs/gone.md: docs/gone.md is not in the package (ship it, or link to ${REPOSITORY}/blob/main/docs/gone.md)`,
      `README.md:16: ${REPOSITORY}/blob/main/no/such/file.md: no/such/file.md is not in the repository`,
    ]);
  });

  test('the CLI exits 1 on a broken link and 0 when every link resolves', () => {
    const broken = packageDir({ 'README.md': '[x](docs/missing.md)\n' });
    const fine = packageDir({ 'README.md': '[x](docs/guide.md)\n', 'docs/guide.md': good });
    const cli = (dir: string) => spawnSync(process.execPath, [join(ROOT, 'scripts/check-links.mjs'), dir], { encoding: 'utf8' });
    const bad = cli(broken);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('broken link README.md:1: docs/missing.md');
    const ok = cli(fine);
    expect([ok.status, ok.stdout.trim()]).toEqual([0, 'every link resolves']);
  });

  test("heading ids follow GitHub's (the README's own headings)", () => {
    const ids = headingIds(['## Quick start: node:http', '## Next.js (App Router)', '## Fetch runtimes: Bun, Deno, Cloudflare Workers, Hono', '## `handleSession`', '## Errors', '## Errors'].join('\n'));
    expect([...ids]).toEqual(['quick-start-nodehttp', 'nextjs-app-router', 'fetch-runtimes-bun-deno-cloudflare-workers-hono', 'handlesession', 'errors', 'errors-1']);
  });
});
