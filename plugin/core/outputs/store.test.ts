import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashFileContent } from '../hash/file-hasher';
import { hashBytes } from '../util/xxhash';
import { beginResult, readResult, writeResult } from './result';
import type { WriteResultInfo } from './result';
import type { StepMeta } from './store';
import { readOutputs } from './store';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const info: WriteResultInfo = {
  project: 'p',
  step: 'step',
  fingerprint: { digest: 'f'.repeat(32), record: { schema: 2, nxSteps: '0', strategy: 'code_hash', args: {}, params: {}, needs: {}, inputs: [] } },
  durationMs: 5,
  nxSteps: '0',
};

function newDir(): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-store-')), 'out', 'step');
  dirs.push(path.dirname(path.dirname(dir)));
  return dir;
}

/** A finished output folder with one value and some files. */
async function stored(
  dir = newDir(),
  write: (files: string) => unknown = (files) => ({ rows: [1, 2, 3], model: path.join(files, 'model.bin') }),
): Promise<string> {
  const files = beginResult(dir);
  fs.writeFileSync(path.join(files, 'model.bin'), 'weights');
  const value = write(files);
  const r = await writeResult(dir, value, info);
  if (!r.ok) throw new Error(r.error.message);
  return dir;
}

const deep = { digestOf: hashFileContent };
const resultDigest = (dir: string) => fs.readFileSync(path.join(dir, 'result.xxh128'), 'utf8');

describe('readOutputs trusts only what step.json vouches for', () => {
  it('accepts a finished output and decodes its value against the folder it is in', async () => {
    const dir = await stored();
    const r = readResult(dir, deep);
    expect(r.ok && r.value()).toEqual({ ok: true, value: { rows: [1, 2, 3], model: path.join(dir, 'files', 'model.bin') } });
  });

  it('reports outputs of another fingerprint before reading or hashing anything else', async () => {
    const dir = await stored();
    const hashed: string[] = [];
    const counting = { digestOf: (f: string) => (hashed.push(f), hashFileContent(f)) };
    expect(readOutputs(dir, { ...counting, fingerprint: 'f'.repeat(32) }).ok).toBe(true);
    expect(hashed).toHaveLength(2); // value/value.msgpack and files/model.bin
    hashed.length = 0;
    fs.writeFileSync(path.join(dir, 'value/value.msgpack'), 'not even MessagePack');
    expect(readOutputs(dir, { ...counting, fingerprint: 'e'.repeat(32) })).toMatchObject({ ok: false, problem: 'other' });
    expect(hashed).toEqual([]);
  });

  it.each<[string, (dir: string) => void, string]>([
    ['a run killed before step.json was written', (d) => fs.rmSync(path.join(d, 'step.json')), 'incomplete'],
    ['a truncated value', (d) => fs.truncateSync(path.join(d, 'value/value.msgpack'), 3), 'corrupt'],
    ['an altered value of the same length', (d) => flipLastByte(path.join(d, 'value/value.msgpack')), 'corrupt'],
    ['a value part the result never had', (d) => fs.writeFileSync(path.join(d, 'value/2.bin'), 'x'), 'corrupt'],
    ['a missing value part', (d) => fs.rmSync(path.join(d, 'value/value.msgpack')), 'incomplete'],
    ['an altered file of the same size', (d) => fs.writeFileSync(path.join(d, 'files/model.bin'), 'WEIGHTS'), 'corrupt'],
    ['a truncated file', (d) => fs.writeFileSync(path.join(d, 'files/model.bin'), 'wei'), 'corrupt'],
    ['a missing file', (d) => fs.rmSync(path.join(d, 'files/model.bin')), 'incomplete'],
    ['a file the result never had', (d) => fs.writeFileSync(path.join(d, 'files/extra.txt'), 'x'), 'corrupt'],
    ['an empty folder the result never had', (d) => fs.mkdirSync(path.join(d, 'files/extra')), 'corrupt'],
    [
      'a symbolic link instead of a file',
      (d) => {
        fs.rmSync(path.join(d, 'files/model.bin'));
        fs.symlinkSync('/etc/hostname', path.join(d, 'files/model.bin'));
      },
      'corrupt',
    ],
    ['a digest file that disagrees', (d) => fs.writeFileSync(path.join(d, 'result.xxh128'), `${'0'.repeat(32)}\n`), 'corrupt'],
    [
      'a manifest path leaving the folder',
      (d) => rewriteMeta(d, (m) => ({ ...m, result: { ...m.result, files: [{ path: '../../../etc/passwd', size: 1, digest: 'x' }] } })),
      'corrupt',
    ],
    [
      'a value part name leaving the folder',
      (d) => rewriteMeta(d, (m) => ({ ...m, result: { ...m.result, value: { ...m.result.value, parts: [{ path: '../step.json', size: 1, digest: 'x' }] } } })),
      'corrupt',
    ],
    ['an unknown step.json format', (d) => rewriteMeta(d, (m) => ({ ...m, schema: 99 })), 'corrupt'],
  ])('refuses %s', async (_what, damage, problem) => {
    const dir = await stored();
    damage(dir);
    const r = readOutputs(dir, deep);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toBe(problem);
  });

  it('never throws, whatever the folder holds', async () => {
    const dir = await stored();
    const meta = fs.readFileSync(path.join(dir, 'step.json'));
    const value = fs.readFileSync(path.join(dir, 'value/value.msgpack'));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), fc.boolean(), (m, v, json) => {
        fs.writeFileSync(
          path.join(dir, 'step.json'),
          json ? JSON.stringify({ schema: 2, result: { files: [{ path: Buffer.from(m).toString() }], value: { parts: [] } } }) : m,
        );
        fs.writeFileSync(path.join(dir, 'value/value.msgpack'), v);
        expect(() => readOutputs(dir, deep)).not.toThrow();
      }),
      { numRuns: 60 },
    );
    fs.writeFileSync(path.join(dir, 'step.json'), meta);
    fs.writeFileSync(path.join(dir, 'value/value.msgpack'), value);
    expect(readOutputs(dir, deep).ok).toBe(true);
  });
});

describe('the result digest', () => {
  it('covers the executable bit and empty folders of ctx.outDir (issue 14, category 7)', async () => {
    const plain = resultDigest(await stored());
    const exec = resultDigest(await stored(newDir(), (files) => (fs.chmodSync(path.join(files, 'model.bin'), 0o755), 1)));
    const folder = resultDigest(await stored(newDir(), (files) => (fs.mkdirSync(path.join(files, 'empty/inner'), { recursive: true }), 1)));
    const same = resultDigest(await stored(newDir(), () => 1));
    const again = resultDigest(await stored(newDir(), () => 1));
    expect(same).toBe(again);
    expect(new Set([plain, exec, folder, same]).size).toBe(4);
  });

  it('ignores mode bits that follow the umask (group and other write)', async () => {
    const a = resultDigest(await stored(newDir(), (files) => (fs.chmodSync(path.join(files, 'model.bin'), 0o644), 1)));
    const b = resultDigest(await stored(newDir(), (files) => (fs.chmodSync(path.join(files, 'model.bin'), 0o664), 1)));
    expect(a).toBe(b);
  });

  it('puts back what a cache may drop: the executable bit and empty folders', async () => {
    const dir = await stored(newDir(), (files) => {
      fs.chmodSync(path.join(files, 'model.bin'), 0o755);
      fs.mkdirSync(path.join(files, 'logs'));
      return 1;
    });
    fs.chmodSync(path.join(dir, 'files/model.bin'), 0o644);
    fs.rmdirSync(path.join(dir, 'files/logs'));
    expect(readOutputs(dir, deep).ok).toBe(true);
    expect(fs.statSync(path.join(dir, 'files/model.bin')).mode & 0o100).toBe(0o100);
    expect(fs.existsSync(path.join(dir, 'files/logs'))).toBe(true);
  });
});

describe('a result that cannot be stored', () => {
  // The run path writes a private work folder and installs it only once stored (run/staging.ts), so the last
  // good outputs are never touched; run/run-step.test.ts proves that end to end.
  it('is a value naming where in the value, and leaves no partial folder behind', async () => {
    const dir = newDir();
    const files = beginResult(dir);
    fs.writeFileSync(path.join(files, 'half.bin'), 'x');
    const r = await writeResult(dir, { rows: [1, { fit: () => 1 }] }, info);
    expect(r).toMatchObject({ ok: false, error: { code: 'NXS205', reason: 'unstorable', path: 'result.rows[1].fit' } });
    expect(!r.ok && r.error.hint).toMatch(/outputs of the last successful run are kept/);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('when the file system refuses: NXS211 and what to do', async () => {
    const dir = newDir();
    beginResult(dir);
    fs.writeFileSync(path.join(dir, 'value'), 'a file where the value folder goes'); // any errno will do; root ignores permissions
    const r = await writeResult(dir, { a: 1 }, info);
    expect(r).toMatchObject({ ok: false, error: { code: 'NXS211', reason: 'io' } });
    expect(!r.ok && r.error.message).toMatch(/The file system refused while storing the result: EEXIST/);
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe('an output folder of an unknown format', () => {
  it('is not trusted: a step.json of schema 1 with a value.json (a format no release wrote) is corrupt, so the step runs again', () => {
    const dir = newDir();
    fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
    const text = '{"n":1}';
    fs.writeFileSync(path.join(dir, 'value.json'), text);
    const digest = 'a'.repeat(32);
    fs.writeFileSync(path.join(dir, 'result.xxh128'), `${digest}\n`);
    fs.writeFileSync(
      path.join(dir, 'step.json'),
      JSON.stringify({
        schema: 1,
        project: 'p',
        step: 's',
        fingerprint: info.fingerprint,
        result: { digest, value: { bytes: text.length, digest: hashBytes(text) }, files: [] },
        createdAt: '',
        durationMs: 1,
        nxSteps: '0',
      }),
    );
    expect(readOutputs(dir, deep)).toMatchObject({ ok: false, problem: 'corrupt', detail: 'step.json has an unknown format' });
  });
});

function flipLastByte(file: string): void {
  const b = fs.readFileSync(file);
  b[b.length - 1] = (b[b.length - 1] ?? 0) ^ 1;
  fs.writeFileSync(file, b);
}

function rewriteMeta(dir: string, change: (m: StepMeta) => StepMeta): void {
  const file = path.join(dir, 'step.json');
  fs.writeFileSync(file, JSON.stringify(change(JSON.parse(fs.readFileSync(file, 'utf8')) as StepMeta)));
}
