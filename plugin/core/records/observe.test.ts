import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ObservedTask } from './observe';
import { observeStep } from './observe';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

/** A workspace whose step `load` has a step.json made at `createdAt`, by a step function that took `durationMs`. */
function workspace(createdAt: number, durationMs: number): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-observe-'));
  roots.push(root);
  const meta = {
    schema: 1,
    project: 'etl',
    step: 'load',
    fingerprint: { digest: 'fp1', record: {} },
    result: { digest: 'r1', value: { bytes: 1, digest: 'v' }, files: [] },
    createdAt: new Date(createdAt).toISOString(),
    durationMs,
    nxSteps: '0.0.0',
  };
  fs.mkdirSync(path.join(root, 'etl/.nx-steps/out/load'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etl/.nx-steps/out/load/step.json'), JSON.stringify(meta));
  return root;
}

const task = (over: Partial<ObservedTask>): ObservedTask => ({
  project: 'etl',
  projectRoot: 'etl',
  step: 'load',
  nxStatus: 'success',
  cacheable: true,
  startTime: 10_000,
  endTime: 10_400,
  ...over,
});

describe('observeStep', () => {
  it('a success whose step.json was written during the task executed', () => {
    const root = workspace(10_300, 250);
    expect(observeStep(root, task({}), 9_000)).toEqual({
      project: 'etl',
      projectRoot: 'etl',
      step: 'load',
      source: 'executed',
      startMs: 1_000,
      durationMs: 400,
      originalMs: 250,
      fingerprint: 'fp1',
      result: 'r1',
    });
  });

  it('a success whose step.json is older than the task was kept on disk, and saved its original duration minus the task time', () => {
    const root = workspace(5_000, 1_500);
    expect(observeStep(root, task({}), 10_000)).toMatchObject({ source: 'kept', durationMs: 400, originalMs: 1_500, savedMs: 1_100 });
  });

  it('cache hits save the original duration minus the restore time, never less than 0', () => {
    const root = workspace(5_000, 1_500);
    expect(observeStep(root, task({ nxStatus: 'local-cache', endTime: 10_020 }), 10_000)).toMatchObject({ source: 'local', durationMs: 20, savedMs: 1_480 });
    expect(observeStep(root, task({ nxStatus: 'local-cache-kept-existing' }), 10_000)).toMatchObject({ source: 'local' });
    expect(observeStep(root, task({ nxStatus: 'remote-cache', endTime: 12_000 }), 10_000)).toMatchObject({ source: 'remote', durationMs: 2_000, savedMs: 0 });
  });

  it('cache: false steps are uncached; failures and skips ignore a step.json left by an earlier run', () => {
    const root = workspace(5_000, 1_500);
    expect(observeStep(root, task({ cacheable: false }), 10_000)).toMatchObject({ source: 'uncached', originalMs: 1_500 });
    expect(observeStep(root, task({ nxStatus: 'failure' }), 10_000)).not.toHaveProperty('originalMs');
    expect(observeStep(root, task({ nxStatus: 'failure' }), 10_000).source).toBe('failed');
    expect(observeStep(root, task({ nxStatus: 'skipped', startTime: undefined, endTime: undefined } as never), 10_000)).toMatchObject({
      source: 'skipped',
      durationMs: 0,
    });
    expect(observeStep(root, task({ nxStatus: 'some-future-status' }), 10_000).source).toBe('skipped');
  });
});
