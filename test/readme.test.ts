/**
 * Every TypeScript snippet in README.md and docs/*.md type-checks against the real sources,
 * as a user would write it: `import ... from 'sealed-session'` resolves to
 * src/index.ts, and Next.js, Express, Fastify, Hono and zod come from node_modules.
 * Snippets carry a file name (```ts title="app/actions.ts"), so the Next.js
 * ones import each other as they would in an app.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const titled = (markdown: string) => [...markdown.matchAll(/```ts title="([^"]+)"\n([\s\S]*?)```/g)].map((m) => ({ file: m[1]!, code: m[2]! }));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const snippets = titled(readme);
/** Each guide is its own little project (their file names overlap). */
const guides = readdirSync(join(root, 'docs'))
  .filter((name) => name.endsWith('.md'))
  .map((name) => ({ name, markdown: readFileSync(join(root, 'docs', name), 'utf8') }));

describe('README snippets', () => {
  it('has the snippets this test expects (node:http, Express, Fastify, Next.js, Fetch runtimes, Hono, rotation, sealData)', () => {
    expect(snippets.map((s) => s.file)).toEqual(
      expect.arrayContaining(['node-http.ts', 'express.ts', 'fastify.ts', 'hono.ts', 'lib/session.ts', 'app/actions.ts', 'proxy.ts', 'worker.ts', 'rotation.ts', 'magic-link.ts']),
    );
    // Every ts block is checked: none without a title slips through, in the README or a guide.
    expect(readme.match(/```ts\b/g)?.length).toBe(snippets.length);
    for (const { name, markdown } of guides) expect(markdown.match(/```ts\b/g)?.length ?? 0, name).toBe(titled(markdown).length);
  });

  it('type-checks every snippet of the README and the guides under strict settings', () => {
    const dir = join(root, '.tmp', 'readme-snippets');
    rmSync(dir, { recursive: true, force: true });
    const projects = [{ name: 'README', list: snippets }, ...guides.map((g) => ({ name: `docs-${g.name}`, list: titled(g.markdown) }))];
    const files = projects.flatMap(({ name, list }) =>
      list.map(({ file, code }) => {
        const path = join(dir, name, file);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, code);
        return path;
      }),
    );
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
      paths: { 'sealed-session': ['src/index.ts'], 'sealed-session/iron-session': ['src/iron-session/index.ts'], 'sealed-session/redis': ['src/redis/index.ts'], 'sealed-session/hono': ['src/integrations/hono.ts'] },
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || d.file.fileName.startsWith(dir))
      .map((d) => {
        const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        return `${d.file?.fileName.slice(dir.length + 1) ?? ''}:${where ? where.line + 1 : ''} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 60_000);
});
