import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../hash/test-utils/tree';
import type { Diagnostic } from '../diagnostics';
import { formatDiagnostic } from '../diagnostics';
import { DiskCache } from '../util/disk-cache';
import { loadPipelineFile } from './load';

const FILE = 'etl/etl.pipeline.ts';
const head = "import { pipeline, step } from 'nx-steps';\nexport default pipeline({ name: 'etl' });\n";
const valid = (...names: string[]) => `${head}${names.map((n) => `export const ${n} = step(() => 1);\n`).join('')}`;
const BROKEN = `${head}export const broken = step(() => { return [1, 2; });\n`;

function workspace(): { root: string; load: (text: string) => ReturnType<typeof loadPipelineFile> } {
  const root = tempDir('nxs-load-');
  fs.mkdirSync(path.join(root, 'etl'));
  return {
    root,
    load(text) {
      fs.writeFileSync(path.join(root, FILE), text);
      return loadPipelineFile(root, FILE, new DiskCache(root));
    },
  };
}

const stepNames = (parsed: ReturnType<typeof loadPipelineFile>) => parsed.steps.map((s) => s.exportedAs ?? s.local);

/** The parse cache's files (entries and pointers), each with its inode: an atomic rewrite gives a new one. */
function cacheFiles(root: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else out.set(abs, fs.statSync(abs).ino);
    }
  };
  walk(path.join(root, '.nx-steps', 'cache', 'parse'));
  return out;
}

describe('loadPipelineFile: the last good version of a file with a syntax error', () => {
  it('is the version read last, also after going back to an earlier one (a cache hit)', () => {
    const ws = workspace();
    expect(stepNames(ws.load(valid('a')))).toEqual(['a']);
    expect(stepNames(ws.load(valid('a', 'b')))).toEqual(['a', 'b']);
    expect(stepNames(ws.load(BROKEN))).toEqual(['a', 'b']);
    // Back to the first version: its parse comes from the cache, and it becomes the last good one.
    expect(stepNames(ws.load(valid('a')))).toEqual(['a']);
    const broken = ws.load(BROKEN);
    expect(stepNames(broken)).toEqual(['a']);
    expect(broken.diagnostics.some((d) => d.code === 'NXS100' && d.step === 'a')).toBe(true);
  });

  it('reading an unchanged file again writes nothing', () => {
    const ws = workspace();
    ws.load(valid('a'));
    const before = cacheFiles(ws.root);
    ws.load(valid('a'));
    expect(cacheFiles(ws.root)).toEqual(before);
  });
});

describe('loadPipelineFile: files no parser can follow', () => {
  it('10,000 nested parentheses: NXS100 where the nesting is deepest, and the last good steps stay', () => {
    const ws = workspace();
    ws.load(valid('a'));
    const line = `export const deep = ${'('.repeat(10_000)}1${')'.repeat(10_000)};`;
    const parsed = ws.load(`${head}${line}\n`);
    expect(stepNames(parsed)).toEqual(['a']);
    const [d] = parsed.diagnostics;
    expect(d).toMatchObject({ code: 'NXS100', location: { file: FILE, line: 3, column: 'export const deep = '.length + 10_000 } });
    expect(d?.message).toContain('10000 levels');
  });

  it('the code frame of a 1 MB one-line file shows a bounded excerpt around the error', () => {
    const ws = workspace();
    const text = `${head}export const x = [${'1,'.repeat(500_000)} oops oops];\n`;
    const parsed = ws.load(text);
    const d = parsed.diagnostics.find((x) => x.code === 'NXS100');
    expect(d?.location?.line).toBe(3);
    const shown = formatDiagnostic(d as Diagnostic, text);
    expect(shown.length).toBeLessThan(1_000);
    const [frame, caret] = shown.split('\n\n')[1]?.split('\n') ?? [];
    expect(frame).toContain('oops');
    // The caret stands under the error's first character.
    expect(frame?.[caret?.indexOf('^') ?? -1]).toBe(text.split('\n')[2]?.[(d?.location?.column ?? 0) - 1]);
  });
});
