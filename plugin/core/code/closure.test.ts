/**
 * The code analyzer end to end on real folders, without Nx: what changes a
 * step's code digest, what does not, and that its cache notices every
 * change that matters (links re-pointed, packages re-installed) and survives
 * damage.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePipelineFile } from '../discovery/parse-pipeline';
import { FileHasher } from '../hash/file-hasher';
import { tempDir, writeTree } from '../hash/test-utils/tree';
import type { Tree } from '../hash/test-utils/tree';
import { DiskCache } from '../util/disk-cache';
import { CodeAnalyzer } from './closure';
import type { StepCode } from './closure';

const PIPELINE = 'p/main.pipeline.ts';

function pipeline(imports: string, body: string, sibling = "return 's';"): string {
  return `import { pipeline, step } from 'nx-steps';\n${imports}\nexport default pipeline({ name: 'p' });\nexport const subject = step(async () => {\n  ${body}\n});\nexport const sibling = step(async () => {\n  ${sibling}\n});\n`;
}

/** A fresh analyzer (as a new process would have) over the workspace; its disk cache persists. */
function codes(root: string): Record<string, StepCode> {
  const cache = new DiskCache(root);
  const analyzer = new CodeAnalyzer(root, cache, new FileHasher(cache.path('stat-memo')));
  const text = fs.readFileSync(path.join(root, PIPELINE), 'utf8');
  const parsed = parsePipelineFile(PIPELINE, text);
  return analyzer.stepCodes(
    PIPELINE,
    parsed.steps.map((s) => ({ name: s.exportedAs ?? s.local, fn: s.fn })),
  );
}

function workspace(tree: Tree): string {
  const root = tempDir('nxs-closure-');
  writeTree(root, { 'package.json': '{"name":"ws","private":true}', 'tsconfig.json': '{}', ...tree });
  return root;
}

function edit(root: string, rel: string, from: string, to: string): void {
  const file = path.join(root, rel);
  const text = fs.readFileSync(file, 'utf8');
  expect(text).toContain(from);
  fs.writeFileSync(file, text.replace(from, to));
}

/** Digests of (subject, sibling) before and after `change`, each read through a fresh analyzer. */
function around(tree: Tree, change: (root: string) => void): { subject: boolean; sibling: boolean } {
  const root = workspace(tree);
  const before = codes(root);
  expect(codes(root)).toEqual(before); // the cached closure gives the same answer
  change(root);
  const after = codes(root);
  return { subject: after['subject']?.digest !== before['subject']?.digest, sibling: after['sibling']?.digest !== before['sibling']?.digest };
}

const pkg = (name: string, version: string, extra: Record<string, unknown> = {}) => JSON.stringify({ name, version, main: 'index.js', ...extra });

// The first test pays for loading TypeScript, slow on a loaded machine.
describe('the code digest', { timeout: 30_000 }, () => {
  it('changes with a load-time call in a module the step loads, not with an unreached function', () => {
    const tree: Tree = {
      [PIPELINE]: pipeline("import { other } from './init';", 'return other;'),
      'p/init.ts':
        'export const init = setup(10);\nexport const other = 1;\nfunction setup(n: number) {\n  return n;\n}\nexport function unreached() {\n  return 1;\n}\n',
    };
    expect(around(tree, (r) => edit(r, 'p/init.ts', 'setup(10)', 'setup(20)'))).toEqual({ subject: true, sibling: true });
    expect(around(tree, (r) => edit(r, 'p/init.ts', 'return 1;\n}\n', 'return 2;\n}\n'))).toEqual({ subject: false, sibling: false });
  });

  it("changes with a transitive dependency's version, for the steps that load the package", () => {
    const tree: Tree = {
      [PIPELINE]: pipeline('', "return require('fake-a').value();"),
      'node_modules/fake-a/package.json': pkg('fake-a', '1.0.0', { dependencies: { 'fake-b': '1' } }),
      'node_modules/fake-a/index.js': "exports.value = () => require('fake-b').value();\n",
      'node_modules/fake-b/package.json': pkg('fake-b', '1.0.0'),
      'node_modules/fake-b/index.js': "exports.value = () => 'b';\n",
    };
    expect(around(tree, (r) => edit(r, 'node_modules/fake-b/package.json', '"1.0.0"', '"1.0.1"'))).toEqual({ subject: true, sibling: false });
  });

  it('follows a symlinked package re-pointed to another folder', () => {
    const tree: Tree = {
      [PIPELINE]: pipeline("import { value } from '@w/impl';", 'return value();'),
      'impl-a/package.json': pkg('@w/impl', '1.0.0'),
      'impl-a/index.js': "exports.value = () => 'a';\n",
      'impl-b/package.json': pkg('@w/impl', '1.0.0'),
      'impl-b/index.js': "exports.value = () => 'b';\n",
      'node_modules/@w/impl': { link: '../../impl-a' },
    };
    const relink = (r: string) => {
      fs.rmSync(path.join(r, 'node_modules/@w/impl'));
      fs.symlinkSync('../../impl-b', path.join(r, 'node_modules/@w/impl'));
    };
    expect(around(tree, relink)).toEqual({ subject: true, sibling: true });
  });

  it('notices a file that an import now finds first', () => {
    const tree: Tree = {
      [PIPELINE]: pipeline("import { value } from './a';", 'return value();'),
      'p/a.js': "exports.value = () => 'js';\n",
    };
    expect(around(tree, (r) => fs.writeFileSync(path.join(r, 'p/a.ts'), "export const value = () => 'ts';\n"))).toEqual({ subject: true, sibling: true });
  });

  it('notices a new file under a folder a template import names', () => {
    const tree: Tree = {
      [PIPELINE]: pipeline('', 'const n = "a";\n  return require(`./plugins/${n}`).value();'),
      'p/plugins/a.ts': "export const value = () => 'a';\n",
    };
    expect(around(tree, (r) => fs.writeFileSync(path.join(r, 'p/plugins/b.ts'), "export const value = () => 'b';\n"))).toEqual({
      subject: true,
      sibling: false,
    });
  });

  it('is the same when every cache entry is damaged', () => {
    const root = workspace({ [PIPELINE]: pipeline("import { value } from './a';", 'return value();'), 'p/a.ts': 'export const value = () => 1;\n' });
    const before = codes(root);
    const cacheRoot = path.join(root, '.nx-steps/cache');
    const walk = (d: string): string[] =>
      fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
    const files = walk(cacheRoot).filter((f) => !f.endsWith('.gitignore'));
    expect(files.length).toBeGreaterThan(2);
    for (const damage of ['{}', '[]', 'null', 'garbage\u0000\u0001', '{"version":4,"steps":{"subject":5}}']) {
      for (const f of files) fs.writeFileSync(f, damage);
      expect(codes(root)).toEqual(before);
    }
  });
});

describe('a helper module nested too deeply to parse', () => {
  it('is taken whole: loading it, using it, an edit of it or of what it imports changes the key; no exception', () => {
    const deep = (n: number) => `import { base } from './base';\nexport const deep = ${'('.repeat(10_000)}${n}${')'.repeat(10_000)} + base;\n`;
    const root = workspace({
      [PIPELINE]: pipeline("import { deep } from './deep';", 'return deep;'),
      'p/deep.ts': deep(1),
      'p/base.ts': 'export const base = 1;\n',
    });
    const first = codes(root)['subject'];
    expect(Object.keys(first?.files ?? {}).sort()).toEqual(['p/base.ts', 'p/deep.ts', 'p/main.pipeline.ts']);
    fs.writeFileSync(path.join(root, 'p/deep.ts'), deep(2));
    const second = codes(root)['subject'];
    expect(second?.digest).not.toBe(first?.digest);
    fs.writeFileSync(path.join(root, 'p/base.ts'), 'export const base = 2;\n');
    expect(codes(root)['subject']?.digest).not.toBe(second?.digest);
  });
});
