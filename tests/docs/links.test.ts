/**
 * The README and docs/ hold together: every relative link points at a file that exists, every `#anchor` at a heading
 * of its page (GitHub's slugs), and the generated tables sit in docs/, between the markers their generators look for.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)].filter((f) =>
  f.endsWith('.md'),
);

/** The page without its fenced code blocks, whose `#` lines are not headings and whose brackets are not links. */
const unfenced = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens; repeats get -1, -2… */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const slugs = new Set<string>();
  for (const [, heading = ''] of unfenced(markdown).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = heading
      .replace(/`/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    slugs.add(n === 0 ? base : `${base}-${n}`);
  }
  return slugs;
}

/** Every relative link of a page: `[text](target)`, web and mail links left out. */
function links(markdown: string): string[] {
  return [
    ...unfenced(markdown)
      .replace(/``[^`]+``|`[^`\n]+`/g, '')
      .matchAll(/\]\(([^)\s]+)\)/g),
  ]
    .map((m) => m[1] ?? '')
    .filter((target) => !/^[a-z]+:/i.test(target));
}

/** What is wrong with one link from `page`, or undefined. */
function broken(page: string, target: string): string | undefined {
  const [path = '', anchor] = target.split('#');
  const file = path === '' ? join(ROOT, page) : join(ROOT, dirname(page), path);
  if (!existsSync(file)) return `${page}: ${target}: no such file`;
  if (anchor === undefined) return undefined;
  if (statSync(file).isDirectory() || !file.endsWith('.md')) return `${page}: ${target}: an anchor into a non-page`;
  const known = anchors(readFileSync(file, 'utf8'));
  return known.has(anchor) ? undefined : `${page}: ${target}: no heading #${anchor} in ${relative(ROOT, file)}`;
}

describe('the README and docs/', () => {
  it('make GitHub’s anchors from headings', () => {
    // Prepare
    const page = "# Try it, test it (no AWS account needed)\n## Route 53's limits\n## `verify`\n## Again\n## Again\n";
    // Act
    const slugs = anchors(page);
    // Assess
    expect([...slugs]).toEqual([
      'try-it-test-it-no-aws-account-needed',
      'route-53s-limits',
      'verify',
      'again',
      'again-1',
    ]);
  });

  it('link only to files that exist and to headings their pages have', () => {
    // Prepare
    const all = PAGES.flatMap((page) => links(readFileSync(join(ROOT, page), 'utf8')).map((t) => [page, t] as const));
    // Act
    const problems = all.map(([page, target]) => broken(page, target)).filter((p) => p !== undefined);
    // Assess
    expect(all.length).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  });

  it('keep the generated tables out of the README and between their markers in docs/', () => {
    // Prepare
    const read = (page: string) => readFileSync(join(ROOT, page), 'utf8');
    // Act
    const readme = read('README.md');
    // Assess
    expect(readme).not.toMatch(/bench:start|reliability:start/);
    expect(read('docs/benchmark.md')).toMatch(/<!-- bench:start [^>]*-->[\s\S]+<!-- bench:end -->/);
    expect(read('docs/reliability.md')).toMatch(/<!-- reliability:start [^>]*-->[\s\S]+<!-- reliability:end -->/);
  });
});
