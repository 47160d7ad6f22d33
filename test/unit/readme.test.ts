// Keeps the README honest where it can be checked: short enough to read (at most 200 lines), every
// relative link of it and of the docs pages resolves to a file of the project (and to a heading of
// that file for a `#anchor`), and its two commands are the package.json scripts it says they are.
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/options.ts';

const README = path.join(PROJECT_ROOT, 'README.md');
const readme = readFileSync(README, 'utf8');
const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

/** The Markdown files whose links are checked: the README, docs/, bench/README.md. */
function markdownFiles(): string[] {
  const docs = readdirSync(path.join(PROJECT_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.join(PROJECT_ROOT, 'docs', f));
  return [README, ...docs, path.join(PROJECT_ROOT, 'bench', 'README.md')];
}

/** The text without fenced code blocks and code spans, where `[x](y)` is no link. */
function prose(markdown: string): string {
  return withoutFences(markdown).replace(/`[^`\n]*`/g, '');
}

/** The text without fenced code blocks (a fence of four backticks may hold one of three). */
function withoutFences(markdown: string): string {
  return markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
}

/** `[text](target)` and `![alt](target)` targets. */
function linkTargets(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = heading[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

describe('README.md', () => {
  it('is at most 200 lines', () => {
    expect(readme.trimEnd().split('\n').length).toBeLessThanOrEqual(200);
  });

  it('gives the two commands as package.json scripts that are what it says they are', () => {
    expect(readme).toMatch(/^npm ci && npm run cookbook +# /m);
    expect(readme).toMatch(/^npm test +# /m);
    // `npm run cookbook` is `vitest run` on vitest.config.ts, the cookbook suite
    expect(pkg.scripts.cookbook).toBe('vitest run');
    expect(readme).toContain('`npm run cookbook` is `vitest run` on `vitest.config.ts`');
    const cookbookConfig = readFileSync(path.join(PROJECT_ROOT, 'vitest.config.ts'), 'utf8');
    expect(cookbookConfig).toContain("include: ['cookbook-tests/**/*.test.ts']");
    expect(cookbookConfig).toContain('py2wasmCookbook(');
    // `npm test` is the project's tests, whose global setup installs what they need
    expect(pkg.scripts.test).toBe('vitest run --config vitest.unit.config.ts');
    const unitConfig = readFileSync(path.join(PROJECT_ROOT, 'vitest.unit.config.ts'), 'utf8');
    expect(unitConfig).toContain("globalSetup: ['test/setup/tools.ts']");
    expect(existsSync(path.join(PROJECT_ROOT, 'test/setup/tools.ts'))).toBe(true);
  });
});

describe('links of the README and the docs', () => {
  for (const file of markdownFiles()) {
    const name = path.relative(PROJECT_ROOT, file);
    it(`${name}: every relative link resolves to a file of the project`, () => {
      const text = readFileSync(file, 'utf8');
      const broken: string[] = [];
      for (const target of linkTargets(text)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        const [filePart = '', anchor] = target.split('#');
        const resolved = filePart ? path.resolve(path.dirname(file), decodeURI(filePart)) : file;
        if (!resolved.startsWith(PROJECT_ROOT + path.sep) || !existsSync(resolved)) {
          broken.push(`${target} (no such file)`);
          continue;
        }
        if (anchor && statSync(resolved).isFile() && resolved.endsWith('.md')) {
          if (!headingAnchors(readFileSync(resolved, 'utf8')).has(anchor)) broken.push(`${target} (no such heading)`);
        }
      }
      expect(broken).toEqual([]);
    });
  }

  it('finds links, skips code, and spells anchors as GitHub does', () => {
    expect(
      linkTargets('[a](docs/x.md) `[b](no)` ![c](y.png)\n````md\n```\n[d](no)\n```\n````\n[e](f.md#g "t")'),
    ).toEqual(['docs/x.md', 'y.png', 'f.md#g']);
    expect([...headingAnchors('# A `b/c` (d)\n## Caching\n## Caching\n```\n# no\n```')]).toEqual([
      'a-bc-d',
      'caching',
      'caching-1',
    ]);
  });
});
