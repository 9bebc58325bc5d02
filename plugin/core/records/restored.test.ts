import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../hash/test-utils/tree';
import { hashFileContent } from '../hash/file-hasher';
import { outputDir } from '../outputs/layout';
import type { StepMeta } from '../outputs/store';
import { finishOutputs } from '../outputs/store';
import type { ObservedTask } from './observe';
import { confirmUnusable, unusableRestores } from './restored';

async function stepResult(root: string, step: string): Promise<string> {
  const dir = path.join(root, outputDir('etl', step));
  fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
  await finishOutputs(dir, {
    project: 'etl',
    step,
    fingerprint: { digest: 'f'.repeat(32), record: {} as StepMeta['fingerprint']['record'] },
    value: [1, 2, 3],
    durationMs: 1,
    nxSteps: '0.1.0',
  });
  return dir;
}

const task = (step: string, nxStatus: string): ObservedTask => ({ project: 'etl', projectRoot: 'etl', step, nxStatus, cacheable: true });

describe('results Nx restored in a command', () => {
  it('are checked when they came from a cache: missing, damaged and (with signing on) untrusted ones are unusable; executed ones are not read', async () => {
    const root = tempDir('nxs-restored-');
    await stepResult(root, 'good');
    const damaged = await stepResult(root, 'damaged');
    fs.writeFileSync(path.join(damaged, 'value/value.msgpack'), 'altered');
    await stepResult(root, 'unsigned');
    const tasks = [
      task('good', 'remote-cache'),
      task('damaged', 'local-cache'),
      task('empty', 'remote-cache'),
      task('unsigned', 'local-cache-kept-existing'),
      task('ran', 'success'),
      task('failed', 'failure'),
    ];
    const trust = { untrusted: (dir: string) => (dir.endsWith('unsigned') ? 'it is not signed' : undefined) };
    const found = unusableRestores(root, tasks, { digestOf: hashFileContent, trust });
    expect(found.map((u) => [u.task.step, u.detail])).toEqual([
      ['damaged', 'value/value.msgpack does not match its recorded size'],
      ['empty', 'the cache entry held no outputs'],
      ['unsigned', 'it is not signed'],
    ]);
    // Checked again under each step's lock: a result installed meanwhile is kept.
    await stepResult(root, 'empty');
    const { confirmed, release } = await confirmUnusable(root, found, { digestOf: hashFileContent, trust });
    expect(confirmed.map((u) => u.task.step)).toEqual(['damaged', 'unsigned']);
    expect(fs.existsSync(`${path.join(root, outputDir('etl', 'damaged'))}.lock`)).toBe(true);
    release();
    expect(fs.existsSync(`${path.join(root, outputDir('etl', 'damaged'))}.lock`)).toBe(false);
  });
});
