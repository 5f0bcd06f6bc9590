/**
 * The guides in docs/integrations/ show the example apps' own files: every
 * fenced block with a title (```ts title="examples/astro/src/middleware.ts")
 * must equal that file. The files are type-checked against the real
 * framework, built, served and driven by Chromium in this directory's app
 * tests, so a guide's example is one that compiles and works.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './apps';

const DOCS = join(ROOT, 'docs/integrations');
/** The guides built from the example apps (the others are type-checked on their own by docs.test.ts). */
const guides = readdirSync(DOCS).filter((name) => name.endsWith('.md') && readFileSync(join(DOCS, name), 'utf8').includes(' title="examples/'));

describe.each(guides)('docs/integrations/%s', (name) => {
  const markdown = readFileSync(join(DOCS, name), 'utf8');
  const blocks = [...markdown.matchAll(/```(\w+) title="([^"]+)"\n([\s\S]*?)```/g)].map((m) => ({ file: m[2]!, code: m[3]! }));

  it('shows at least one file of an example app, and every code block has a title', () => {
    expect(blocks.length).toBeGreaterThan(0);
    expect(markdown.match(/```(ts|tsx|js|svelte|astro)\b/g)?.length).toBe(blocks.length);
  });

  it.each(blocks.map((b) => [b.file, b.code] as const))('%s is the example app’s file as it is', (file, code) => {
    expect(file).toMatch(/^examples\//);
    const path = join(ROOT, file);
    expect(existsSync(path), `${file} exists`).toBe(true);
    expect(code).toBe(readFileSync(path, 'utf8'));
  });
});
