/**
 * The run engine with fan-out items, flowing params and metrics, without Nx
 * (as run-step.test.ts): each item runs its step's function with its item; a
 * step that needs the fan-out receives every item's result keyed by item; an
 * override reaches the steps that declare it and is an error when none of
 * the run does; metrics stay beside the workspace, keyed by the result's key.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StepContext } from '../../api/step';
import { step } from '../../api/step';
import { tempDir, writeTree } from '../hash/test-utils/tree';
import { readMetrics } from '../records/metrics';
import { createServices } from '../workspace';
import type { RunLog } from './log';
import type { RunStepRequest } from './run-step';
import { readResult } from '../outputs/result';
import { runStep } from './run-step';

const PIPELINE = 'ml/ml.pipeline.ts';
const SOURCE = `import { pipeline, step } from 'nx-steps';
const ml = pipeline({ name: 'ml', params: { lr: 0.1 } });
export default ml;
export const prep = step(() => [1, 2, 3]);
export const train = step({ each: { seed: [1, 2] }, needs: { xs: prep }, params: { lr: ml.params.lr } }, ({ xs, seed, lr }) => xs.length * seed * lr);
export const evaluate = step({ needs: { models: train } }, ({ models }, ctx) => { ctx.metric('f1', 0.5); return models; });
`;

function setUp() {
  const root = tempDir('nxs-fanout-run-');
  writeTree(root, { [PIPELINE]: SOURCE });
  const seen: unknown[] = [];
  const mod = {
    prep: step(() => [1, 2, 3]),
    train: step((input: {}) => {
      const { xs, seed, lr } = input as { xs: number[]; seed: number; lr: number };
      seen.push(input);
      return xs.length * seed * lr;
    }),
    evaluate: step((input: {}, ctx: StepContext) => {
      ctx.metric('f1', 0.5);
      return (input as { models: Record<string, number> }).models;
    }),
  };
  const log: RunLog = { note: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const deps = { services: createServices(root), log, importModule: async () => mod, runTime: 0, env: {} };
  const req = (name: string, extra: Partial<RunStepRequest> = {}): RunStepRequest => ({
    workspaceRoot: root,
    project: 'ml',
    projectRoot: 'ml',
    step: name,
    pipelineFiles: [PIPELINE],
    overrides: {},
    ...extra,
  });
  const value = (name: string): unknown => {
    const read = readResult(path.join(root, 'ml/.nx-steps/out', name));
    if (!read.ok) throw new Error(`${name}: ${read.problem}`);
    const v = read.value();
    if (!v.ok) throw new Error(v.error.message);
    return v.value;
  };
  return { root, seen, deps, req, value };
}

describe('fan-out items in the run engine', () => {
  it('each item gets its item; the step that needs them gets every result keyed by item; an override reaches the steps declaring it', async () => {
    const { seen, deps, req, value, root } = setUp();
    // As `nx run ml:evaluate --lr=0.5` runs them: Nx forwards the override to every task of the run.
    const run = ['prep', 'train.1', 'train.2', 'evaluate'];
    for (const name of run) {
      expect(await runStep(req(name, { overrides: { lr: 0.5 }, runSteps: run }), deps)).toMatchObject({ ok: true, status: 'executed' });
    }
    expect(seen).toEqual([
      { xs: [1, 2, 3], seed: 1, lr: 0.5 },
      { xs: [1, 2, 3], seed: 2, lr: 0.5 },
    ]);
    expect(value('evaluate')).toEqual({ 1: 1.5, 2: 3 });
    // The metric is kept beside the workspace, by the key of the result it belongs to.
    const meta = JSON.parse(fs.readFileSync(path.join(root, 'ml/.nx-steps/out/evaluate/step.json'), 'utf8')) as { fingerprint: { digest: string } };
    expect(readMetrics(root, meta.fingerprint.digest)).toEqual({ f1: 0.5 });
    expect(fs.readdirSync(path.join(root, 'ml/.nx-steps/out/evaluate'))).not.toContain('metrics.json');
  });

  it('an override that no step of the run declares is an error listing the params there are', async () => {
    const { deps, req } = setUp();
    const outcome = await runStep(req('prep', { overrides: { lr: 0.5 } }), deps);
    expect(outcome.ok).toBe(false);
    const d = !outcome.ok ? outcome.diagnostics[0] : undefined;
    expect(d?.code).toBe('NXS202');
    expect(d?.message).toBe('No step of this run declares param `lr` (from --lr).');
    expect(d?.hint).toBe("This run's steps declare no params. `lr` is declared by train, which this run does not include: run it (nx run ml:train --lr=...).");
    // In a run that includes train, prep lets it through.
    expect(await runStep(req('prep', { overrides: { lr: 0.5 }, runSteps: ['prep', 'train.1'] }), deps)).toMatchObject({ ok: true });
    const typo = await runStep(req('train.1', { overrides: { lrr: 0.5 }, runSteps: ['prep', 'train.1'] }), deps);
    expect(!typo.ok && typo.diagnostics[0]?.hint).toBe('Params of this run: lr (train).');
  });

  it('a corrupt item is recomputed, not its fan-out', async () => {
    const { deps, req, root, value } = setUp();
    for (const name of ['prep', 'train.1', 'train.2']) await runStep(req(name), deps);
    fs.writeFileSync(path.join(root, 'ml/.nx-steps/out/train.2/value/value.msgpack'), Buffer.from([0x91, 0]));
    expect(await runStep(req('evaluate'), deps)).toMatchObject({ ok: true, status: 'executed' });
    expect(value('evaluate')).toEqual({ 1: 0.30000000000000004, 2: 0.6000000000000001 });
  });
});
