import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashFileContent } from '../hash/file-hasher';
import { decodeValue, encodeValue } from './codec';
import type { StepMeta } from './store';
import { finishOutputs, prepareOutputDir, readOutputs } from './store';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A finished output folder with one value and one file. */
function stored(): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-store-')), 'out', 'step');
  dirs.push(path.dirname(path.dirname(dir)));
  const files = prepareOutputDir(dir);
  fs.writeFileSync(path.join(files, 'model.bin'), 'weights');
  finishOutputs(dir, {
    project: 'p',
    step: 'step',
    fingerprint: { digest: 'f'.repeat(32), record: { schema: 1, nxSteps: '0', strategy: 'code_hash', args: {}, params: {}, needs: {} } },
    valueText: encodeValue({ rows: [1, 2, 3], model: path.join(files, 'model.bin') }, { outDir: files }),
    durationMs: 5,
    nxSteps: '0',
  });
  return dir;
}

const deep = { digestOf: hashFileContent };

describe('readOutputs trusts only what step.json vouches for', () => {
  it('accepts a finished output', () => {
    const dir = stored();
    const r = readOutputs(dir, deep);
    expect(r.ok).toBe(true);
    expect(r.ok && decodeValue(r.valueText, { outDir: path.join(dir, 'files') })).toEqual({ rows: [1, 2, 3], model: path.join(dir, 'files', 'model.bin') });
  });

  it('reports outputs of another fingerprint before reading or hashing anything else', () => {
    const dir = stored();
    const hashed: string[] = [];
    const counting = { digestOf: (f: string) => (hashed.push(f), hashFileContent(f)) };
    expect(readOutputs(dir, { ...counting, fingerprint: 'f'.repeat(32) }).ok).toBe(true);
    expect(hashed).toHaveLength(1);
    hashed.length = 0;
    fs.writeFileSync(path.join(dir, 'value.json'), 'not even JSON');
    expect(readOutputs(dir, { ...counting, fingerprint: 'e'.repeat(32) })).toMatchObject({ ok: false, problem: 'other' });
    expect(hashed).toEqual([]);
  });

  it.each<[string, (dir: string) => void, string]>([
    ['a run killed before step.json was written', (d) => fs.rmSync(path.join(d, 'step.json')), 'incomplete'],
    ['a truncated value', (d) => fs.writeFileSync(path.join(d, 'value.json'), '{"rows":[1,'), 'corrupt'],
    ['an altered value of the same length', (d) => fs.writeFileSync(path.join(d, 'value.json'), fs.readFileSync(path.join(d, 'value.json'), 'utf8').replace('1', '7')), 'corrupt'],
    ['an altered file of the same size', (d) => fs.writeFileSync(path.join(d, 'files/model.bin'), 'WEIGHTS'), 'corrupt'],
    ['a truncated file', (d) => fs.writeFileSync(path.join(d, 'files/model.bin'), 'wei'), 'corrupt'],
    ['a missing file', (d) => fs.rmSync(path.join(d, 'files/model.bin')), 'incomplete'],
    ['a file the result never had', (d) => fs.writeFileSync(path.join(d, 'files/extra.txt'), 'x'), 'corrupt'],
    ['a symbolic link instead of a file', (d) => { fs.rmSync(path.join(d, 'files/model.bin')); fs.symlinkSync('/etc/hostname', path.join(d, 'files/model.bin')); }, 'corrupt'],
    ['a digest file that disagrees', (d) => fs.writeFileSync(path.join(d, 'result.xxh128'), `${'0'.repeat(32)}\n`), 'corrupt'],
    ['a manifest path leaving the folder', (d) => rewriteMeta(d, (m) => ({ ...m, result: { ...m.result, files: [{ path: '../../../etc/passwd', size: 1, digest: 'x' }] } })), 'corrupt'],
    ['an unknown step.json format', (d) => rewriteMeta(d, (m) => ({ ...m, schema: 99 as 1 })), 'corrupt'],
  ])('refuses %s', (_what, damage, problem) => {
    const dir = stored();
    damage(dir);
    const r = readOutputs(dir, deep);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toBe(problem);
  });

  it('never throws, whatever the folder holds', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), fc.boolean(), (meta, value, json) => {
        const dir = stored();
        fs.writeFileSync(path.join(dir, 'step.json'), json ? JSON.stringify({ schema: 1, result: { files: [{ path: Buffer.from(meta).toString() }] } }) : meta);
        fs.writeFileSync(path.join(dir, 'value.json'), value);
        expect(() => readOutputs(dir, deep)).not.toThrow();
        fs.rmSync(path.dirname(path.dirname(dir)), { recursive: true, force: true });
      }),
      { numRuns: 60 },
    );
  });

  it('a stored path may not point outside its output folder', () => {
    expect(() => decodeValue('{"$nxs":"outPath","v":"../../../etc/passwd"}', { outDir: '/ws/out/files' })).toThrow(/malformed outPath/);
    expect(() => decodeValue('{"$nxs":"outPath","v":"/etc/passwd"}', { outDir: '/ws/out/files' })).toThrow(/malformed outPath/);
  });
});

function rewriteMeta(dir: string, change: (m: StepMeta) => StepMeta): void {
  const file = path.join(dir, 'step.json');
  fs.writeFileSync(file, JSON.stringify(change(JSON.parse(fs.readFileSync(file, 'utf8')) as StepMeta)));
}
