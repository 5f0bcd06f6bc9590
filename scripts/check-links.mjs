/**
 * Links in the Markdown a package ships, checked the way a reader of the
 * installed package (node_modules/sealed-session, unpkg, an editor) meets
 * them: every relative link must land on a file or folder inside the package,
 * and an `#anchor` on a heading of the file it points to. Absolute links
 * (https:, mailto:) are left alone, except links into this project's own
 * repository (`repository` below), whose path must exist in `repoRoot` when
 * one is given (so they do not rot when a file moves).
 *
 * `node scripts/check-links.mjs <package dir> [repo root]` prints one line
 * per broken link and exits 1 if there is any.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Links into the repository, `https://github.com/<owner>/<name>/(blob|tree)/<ref>/<path>`. */
export const REPOSITORY = 'https://github.com/sealed-session/sealed-session';

/** Every file under `dir` (relative, with `/`), skipping node_modules. */
function walk(dir, prefix = '') {
  const out = [];
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== '.git') out.push(...walk(dir, rel));
    } else out.push(rel);
  }
  return out;
}

/** GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function headingIds(markdown) {
  const ids = new Set();
  const seen = new Map();
  for (const line of stripFences(markdown).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const text = m[1]
      .replace(/`([^`]*)`/g, '$1')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/<[^>]+>/g, '');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    ids.add(n === 0 ? base : `${base}-${n}`);
  }
  // Explicit anchors: <a id="..."> / <a name="...">.
  for (const m of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) ids.add(m[1]);
  return ids;
}

/** Blank out fenced code blocks (keeping line numbers): a `#` or `[x](y)` there is code. */
function stripFences(markdown) {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ' '));
}

/** Blank out fenced code blocks and inline code (keeping line numbers), so code is not read as links. */
function stripCode(markdown) {
  return stripFences(markdown).replace(/`[^`\n]*`/g, (code) => ' '.repeat(code.length));
}

/** The links of one Markdown text: `{ target, line }` for inline links, images, reference definitions and HTML href/src. */
export function markdownLinks(markdown) {
  const text = stripCode(markdown);
  const links = [];
  const lineOf = (index) => text.slice(0, index).split('\n').length;
  const patterns = [
    /!?\[(?:[^\][]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g, // [text](target "title"), ![alt](src)
    /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm, // [ref]: target
    /<(?:a|img)\b[^>]*?\s(?:href|src)="([^"]+)"/g, // <a href="">, <img src="">
  ];
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) links.push({ target: m[1], line: lineOf(m.index) });
  return links.sort((a, b) => a.line - b.line);
}

/**
 * Broken links in every `.md` file under `dir`: `file:line: target: why`.
 * `repoRoot`, when given, is where links into {@link REPOSITORY} are checked.
 */
export function checkLinks(dir, { repoRoot, repository = REPOSITORY } = {}) {
  const files = walk(dir);
  const fileSet = new Set(files);
  const isDir = (rel) => files.some((f) => f.startsWith(`${rel}/`));
  const ids = new Map();
  const idsOf = (rel, read) => {
    if (!ids.has(rel)) ids.set(rel, headingIds(read(rel)));
    return ids.get(rel);
  };
  const inPackage = (rel) => readFileSync(path.join(dir, rel), 'utf8');
  const inRepo = (rel) => readFileSync(path.join(repoRoot, rel), 'utf8');
  const problems = [];
  for (const file of files.filter((f) => f.toLowerCase().endsWith('.md'))) {
    for (const { target, line } of markdownLinks(inPackage(file))) {
      const where = `${file}:${line}: ${target}`;
      if (target.startsWith(`${repository}/`)) {
        if (!repoRoot) continue;
        const m = /^\/(?:blob|tree)\/[^/]+\/([^#?]*)(?:#(.*))?$/.exec(target.slice(repository.length));
        if (!m) {
          if (!/^\/(?:issues|pulls|security|releases)(?:\/|$)/.test(target.slice(repository.length))) problems.push(`${where}: a repository link that is not /blob/<ref>/<path> or /tree/<ref>/<path>`);
          continue;
        }
        const rel = decodeURIComponent(m[1]).replace(/\/$/, '');
        let stat;
        try {
          stat = statSync(path.join(repoRoot, rel));
        } catch {
          problems.push(`${where}: ${rel} is not in the repository`);
          continue;
        }
        if (m[2] && stat.isFile() && rel.endsWith('.md') && !idsOf(`repo:${rel}`, () => inRepo(rel)).has(m[2])) problems.push(`${where}: ${rel} has no heading #${m[2]}`);
        continue;
      }
      if (/^[a-z][a-z\d+.-]*:/i.test(target) || target.startsWith('//')) continue; // absolute: https:, mailto:, …
      const [rawPath, anchor] = target.split('#', 2);
      const relPath = decodeURIComponent(rawPath.split('?')[0]);
      let rel = file;
      if (relPath) {
        rel = path.posix.normalize(path.posix.join(path.posix.dirname(file), relPath)).replace(/\/$/, '');
        if (rel.startsWith('..') || path.posix.isAbsolute(relPath)) {
          problems.push(`${where}: points outside the package`);
          continue;
        }
        if (!fileSet.has(rel) && !isDir(rel)) {
          problems.push(`${where}: ${rel} is not in the package (ship it, or link to ${repository}/blob/main/${rel})`);
          continue;
        }
      }
      if (anchor && rel.endsWith('.md') && fileSet.has(rel) && !idsOf(rel, inPackage).has(anchor)) problems.push(`${where}: ${rel} has no heading #${anchor}`);
    }
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir, repoRoot] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node scripts/check-links.mjs <package dir> [repo root]');
    process.exit(2);
  }
  const problems = checkLinks(path.resolve(dir), repoRoot ? { repoRoot: path.resolve(repoRoot) } : {});
  for (const p of problems) console.log(`broken link ${p}`);
  console.log(problems.length ? `${problems.length} broken links` : 'every link resolves');
  process.exitCode = problems.length ? 1 : 0;
}
