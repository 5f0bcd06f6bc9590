/**
 * The API reference (`npm run docs`, typedoc) covers every subpath export,
 * and every export in it is documented with an example: typedoc itself runs
 * here (convert and validate, nothing rendered) with the project's
 * typedoc.json, so a new undocumented export, an export without `@example`
 * or a link to something the reference leaves out fails `npm test`, not only
 * `npm run docs` in .ci/run (where `treatWarningsAsErrors` makes the same
 * warnings fatal).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Application, LogLevel, Logger, ReflectionKind, type Comment, type DeclarationReflection, type ProjectReflection } from 'typedoc';
import { beforeAll, describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const typedocJson = JSON.parse(readFileSync(join(ROOT, 'typedoc.json'), 'utf8')) as { entryPoints: string[]; treatWarningsAsErrors?: boolean };

/** Keeps what typedoc would print, instead of printing it. */
class Recorder extends Logger {
  readonly messages: { level: LogLevel; text: string }[] = [];
  override log(text: string, level: LogLevel): void {
    super.log(text, level);
    this.messages.push({ level, text });
  }
}

let project: ProjectReflection;
let logger: Recorder;

beforeAll(async () => {
  const app = await Application.bootstrapWithPlugins({ options: join(ROOT, 'typedoc.json'), logLevel: LogLevel.Warn });
  logger = new Recorder();
  app.logger = logger;
  const converted = await app.convert();
  if (converted === undefined) throw new Error(`typedoc could not convert the project:\n${logger.messages.map((m) => m.text).join('\n')}`);
  app.validate(converted);
  project = converted;
}, 120_000);

/** The comment a reader sees for an export: its own, or its (first documented) call signature's. */
function commentOf(reflection: DeclarationReflection): Comment | undefined {
  if (reflection.comment) return reflection.comment;
  const signatures = reflection.signatures ?? (reflection.type?.type === 'reflection' ? reflection.type.declaration.signatures : undefined);
  return signatures?.find((s) => s.comment)?.comment;
}

describe('the API reference', () => {
  test('has every subpath export of package.json as an entry point (the build entries of tsup.config.ts)', () => {
    const tsup = readFileSync(join(ROOT, 'tsup.config.ts'), 'utf8');
    const entry = /entry:\s*\{([^}]*)\}/.exec(tsup)?.[1] ?? '';
    const built = [...entry.matchAll(/'(src\/[^']+\.ts)'/g)].map((m) => m[1]!);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    // One build entry per subpath export (every one but ./package.json).
    expect(built).toHaveLength(Object.keys(pkg.exports).filter((k) => k !== './package.json').length);
    expect([...typedocJson.entryPoints].sort()).toEqual([...built].sort());
  });

  test('npm run docs fails on any warning (treatWarningsAsErrors), and there is none', () => {
    expect(typedocJson.treatWarningsAsErrors).toBe(true);
    const warnings = logger.messages.filter((m) => m.level >= LogLevel.Warn).map((m) => m.text);
    expect(warnings).toEqual([]);
  });

  test('every export of every entry point has a summary and an @example', () => {
    const modules = project.getChildrenByKind(ReflectionKind.Module);
    expect(modules.map((m) => m.name)).toHaveLength(typedocJson.entryPoints.length);
    const missing: string[] = [];
    let exports = 0;
    for (const mod of modules) {
      for (const child of mod.children ?? []) {
        // A re-export of something another entry documents is a reference to it.
        const target = child.isReference() ? child.getTargetReflectionDeep() : child;
        exports++;
        const comment = target.isDeclaration() ? commentOf(target) : target.comment;
        if (!comment || comment.summary.length === 0) missing.push(`${mod.name}: ${child.name} has no summary`);
        if (!comment?.getTag('@example')) missing.push(`${mod.name}: ${child.name} has no @example`);
      }
    }
    expect(exports).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });
});
