/**
 * docs/integrations: every TypeScript snippet type-checks against the real
 * sources under strict settings, one project per page (each declares
 * `req.session` / `request.session` globally, which is the point of the
 * declaration-merging examples, so they cannot share a program with the
 * tests), with `sealed-session` resolving to src/index.ts and
 * `sealed-session/<framework>` to src/integrations/<framework>.ts. Their
 * `@ts-expect-error` lines prove the session is typed from the schema. The
 * table in docs/integrations/README.md lists every subpath export of
 * package.json with its page.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const dir = join(root, 'docs', 'integrations');
const titled = (markdown: string) => [...markdown.matchAll(/```ts title="([^"]+)"\n([\s\S]*?)```/g)].map((m) => ({ file: m[1]!, code: m[2]! }));
const pages = readdirSync(dir)
  .filter((name) => name.endsWith('.md') && name !== 'README.md')
  .map((name) => ({ name, markdown: readFileSync(join(dir, name), 'utf8') }));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
/** The framework integrations: subpath exports built from src/integrations/ (not the redis backend or the iron-session reader). */
const subpaths = Object.keys(pkg.exports)
  .filter((key) => key !== '.' && key !== './package.json')
  .map((key) => key.slice(2))
  .filter((name) => existsSync(join(root, 'src', 'integrations', `${name}.ts`)));
/** Pages whose examples are the example apps' own files (checked by app-docs.test.ts, and built, served and driven by the app tests). */
const fromApps = (markdown: string) => titled(markdown).every(({ file }) => file.startsWith('examples/'));
const standalone = pages.filter((p) => !fromApps(p.markdown));

describe('docs/integrations', () => {
  it('has a page with a titled example for every subpath export, listed in the README table with its import path', () => {
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    for (const name of subpaths) {
      const page = pages.find((p) => p.name === `${name}.md`);
      expect(page, `docs/integrations/${name}.md`).toBeDefined();
      expect(titled(page!.markdown).length, name).toBeGreaterThan(0);
      expect(readme).toContain(`| \`sealed-session/${name}\` |`);
      expect(readme).toContain(`](./${name}.md)`);
    }
    for (const { name, markdown } of standalone) expect(markdown.match(/```ts\b/g)?.length ?? 0, name).toBe(titled(markdown).length);
  });

  it.each(standalone.map((p) => [p.name, p] as const))('%s type-checks under strict settings', (name, page) => {
    const out = join(root, '.tmp', 'integration-docs', name.replace(/\.md$/, ''));
    rmSync(out, { recursive: true, force: true });
    const files = titled(page.markdown).map(({ file, code }) => {
      const path = join(out, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, code);
      return path;
    });
    const program = ts.createProgram(files, {
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      types: ['node'],
      skipLibCheck: true,
      noEmit: true,
      baseUrl: root,
      paths: { 'sealed-session': ['src/index.ts'], 'sealed-session/*': ['src/integrations/*.ts'] },
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || d.file.fileName.startsWith(out))
      .map((d) => {
        const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        return `${d.file?.fileName.slice(out.length + 1) ?? ''}:${where ? where.line + 1 : ''} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 180_000);
});
