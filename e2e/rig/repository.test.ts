/**
 * Promises the repository makes to a newcomer: the README's TypeScript
 * examples come from files that `npm test` type-checks (and that
 * `npm run example` runs, for the pipeline), and the root project.json's
 * targets run files that exist.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTestedNx, TESTED_NX } from '../../plugin/nx/nx-internals';
import { OTHER_NX_VERSIONS } from './template';

const REPO = path.resolve(__dirname, '../..');
const read = (rel: string) => fs.readFileSync(path.join(REPO, rel), 'utf8');

interface Block {
  readonly line: number;
  readonly lines: readonly string[];
}

function tsBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let current: { line: number; lines: string[] } | undefined;
  markdown.split('\n').forEach((text, i) => {
    if (!current && text.trim() === '```ts') current = { line: i + 1, lines: [] };
    else if (current && text.trim() === '```') {
      blocks.push(current);
      current = undefined;
    } else current?.lines.push(text);
  });
  return blocks;
}

/** The lines of `block` that are not in `file` in the same order (blank lines and `// …` elisions aside). */
function notAnExcerpt(block: readonly string[], file: string): string[] {
  const lines = file.split('\n').map((l) => l.trim());
  let at = 0;
  const missing: string[] = [];
  for (const raw of block) {
    const line = raw.trim();
    if (line === '' || line === '// …') continue;
    const found = lines.indexOf(line, at);
    if (found < 0) missing.push(line);
    else at = found + 1;
  }
  return missing;
}

describe('the README', () => {
  const blocks = tsBlocks(read('README.md'));

  it('has TypeScript examples, each naming the file it comes from (under examples/, type-checked by npm test)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const b of blocks) {
      const source = /^\/\/ (examples\/\S+\.m?ts)\b/.exec(b.lines[0] ?? '')?.[1];
      expect(source, `README.md:${b.line}: the first line names the source file`).toBeDefined();
      expect(fs.existsSync(path.join(REPO, source as string)), `README.md:${b.line}: ${source} exists`).toBe(true);
      expect(notAnExcerpt(b.lines.slice(1), read(source as string)), `README.md:${b.line}: lines not in ${source}, in this order`).toEqual([]);
    }
  });

  it('would catch an example that drifted from its file', () => {
    expect(notAnExcerpt(['export const a = 1;', 'export const b = 2;'], 'export const b = 2;\nexport const a = 1;\n')).toEqual(['export const b = 2;']);
  });
});

describe("the repository's own project.json", () => {
  it('runs files that exist', () => {
    const project = JSON.parse(read('project.json')) as { targets: Record<string, { command?: string }> };
    const files = Object.values(project.targets).flatMap((t) => (t.command ?? '').split(/\s+/).filter((w) => /\.(m?[jt]s|json)$/.test(w)));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => !fs.existsSync(path.join(REPO, f)))).toEqual([]);
  });
});

describe('the Nx versions nx-steps supports', () => {
  const pkg = JSON.parse(read('package.json')) as {
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };

  it('are one range: the nx peer, the @nx/devkit dependency, what nx-internals.ts calls tested, and what the e2e smoke path runs', () => {
    expect(TESTED_NX).toBe('22.7 to 24.x');
    expect(pkg.peerDependencies['nx']).toBe('>=22.7.0 <25.0.0');
    expect(pkg.dependencies['@nx/devkit']).toBe(pkg.peerDependencies['nx']);
    const smoke = [...OTHER_NX_VERSIONS.map((v) => v.nx), pkg.devDependencies['nx'] ?? ''];
    expect(smoke.map((v) => v.split('.').slice(0, 2).join('.'))).toEqual(['22.7', '23.3', '24.0']);
    expect(smoke.every(isTestedNx)).toBe(true);
  });
});
