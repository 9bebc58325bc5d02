/**
 * Issue 16: params that flow, sweeps, and the experiments view, in a real Nx
 * workspace. A one-off hyperparameter is trained and evaluated in one
 * command (the override reaches the upstream step that declares it); a sweep
 * over three values then one repeated value hits; `nx-steps report
 * --experiments` shows the runs side by side. Every claim is a count of step
 * function calls, or a value compared with a forced recompute.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Workspace } from './rig';
import { createWorkspace, workspacesPerTest } from './rig';

/** An ML pipeline: lr is shared by the pipeline; only train uses it, evaluate reports a metric. */
const ML = `import { readFileSync } from 'node:fs';
import { file, pipeline, step } from 'nx-steps';
import { count } from '../tools/count';

const ml = pipeline({ name: 'ml', params: { lr: 0.1 } });
export default ml;

export const prepare = step({ args: { raw: file('data/train.csv') } }, ({ raw }) => {
  count('prepare');
  return readFileSync(raw, 'utf8').trim().split('\\n').map(Number);
});

export const train = step({ needs: { data: prepare }, params: { lr: ml.params.lr, epochs: 3 } }, ({ data, lr, epochs }) => {
  count('train');
  return { weight: data.reduce((a, b) => a + b, 0) * lr * epochs, lr };
});

export const evaluate = step({ needs: { model: train } }, ({ model }, ctx) => {
  count('evaluate');
  const f1 = Math.round(1000 / (1 + Math.abs(model.lr - 0.05) * 10)) / 1000;
  ctx.metric('f1', f1);
  return { f1, trainedWith: model.lr, weight: model.weight };
});
`;

const FILES = { 'ml/ml.pipeline.ts': ML, 'ml/data/train.csv': '1\n2\n3\n4\n' };

const open = workspacesPerTest();

function ml(name: string): Workspace {
  const ws = createWorkspace(name, FILES);
  open.push(ws);
  return ws;
}

const stored = (ws: Workspace, step: string): unknown => ws.stored(`ml/.nx-steps/out/${step}`);

interface Experiments {
  experiments: {
    params: string[];
    metrics: string[];
    rows: Array<{ params: Record<string, unknown>; metrics: Record<string, number | null>; ran: string[]; cached: string[] }>;
  };
}

describe('params that flow', () => {
  it('one command trains and evaluates a one-off value: the override reaches the upstream step that declares it', () => {
    const ws = ml('override');
    const first = ws.runSteps('ml:evaluate', ['--lr=0.05']);
    expect(first.calls).toEqual({ prepare: 1, train: 1, evaluate: 1 });
    expect(stored(ws, 'evaluate')).toMatchObject({ trainedWith: 0.05 });
    expect(stored(ws, 'train')).toMatchObject({ lr: 0.05 });

    // Fresh against a forced recompute: outputs removed, no cache.
    const forced = () => {
      fs.rmSync(ws.path('ml/.nx-steps'), { recursive: true, force: true });
      return ws.runSteps('ml:evaluate', ['--lr=0.05', '--skip-nx-cache']);
    };
    const cachedValue = stored(ws, 'evaluate');
    expect(forced().calls).toEqual({ prepare: 1, train: 1, evaluate: 1 });
    expect(stored(ws, 'evaluate')).toEqual(cachedValue);

    // Without the override: the default, computed once; then back to the override: every step a hit.
    expect(ws.runSteps('ml:evaluate').calls).toEqual({ train: 1, evaluate: 1 });
    expect(stored(ws, 'evaluate')).toMatchObject({ trainedWith: 0.1 });
    expect(ws.runSteps('ml:evaluate', ['--lr=0.05']).calls).toEqual({});
    expect(stored(ws, 'evaluate')).toMatchObject({ trainedWith: 0.05 });

    // The outputs on disk never mix settings: train alone with an override, then evaluate sees that model.
    expect(ws.runSteps('ml:train', ['--lr=0.2']).calls).toEqual({ train: 1 });
    expect(ws.runSteps('ml:evaluate', ['--lr=0.2']).calls).toEqual({ evaluate: 1 });
    expect(stored(ws, 'evaluate')).toMatchObject({ trainedWith: 0.2 });
  });

  it('an override that no step of the run declares fails before anything runs, naming the params there are', () => {
    const ws = ml('unknown');
    ws.resetCalls();
    const typo = ws.nx(['run', 'ml:evaluate', '--lrr=0.05']);
    expect(typo.code).not.toBe(0);
    expect(typo.output).toContain('error NXS202: No step of this run declares param `lrr` (from --lrr).');
    expect(typo.output).toContain('Params of this run: lr (train), epochs (train).');
    // Nothing of the run ran: prepare is the first task, and it fails on the override.
    expect(ws.calls()).toEqual({});
    const upstreamOnly = ws.nx(['run', 'ml:prepare', '--lr=0.05']);
    expect(upstreamOnly.code).not.toBe(0);
    expect(upstreamOnly.output).toContain('`lr` is declared by train, which this run does not include: run it (nx run ml:train --lr=...).');
  });
});

describe('sweeps and the experiments view', () => {
  it('a sweep of three values, then one repeated: the repeat is a hit, and the runs compare side by side', () => {
    const ws = ml('sweep');
    for (const lr of ['0.01', '0.05', '0.2']) {
      expect(ws.runSteps('ml:evaluate', [`--lr=${lr}`]).calls, `lr=${lr}`).toEqual(
        lr === '0.01' ? { prepare: 1, train: 1, evaluate: 1 } : { train: 1, evaluate: 1 },
      );
    }
    expect(ws.runSteps('ml:evaluate', ['--lr=0.05']).calls).toEqual({});
    expect(stored(ws, 'evaluate')).toMatchObject({ trainedWith: 0.05, f1: 1 });

    // `why` agrees before the next run: the value is one an earlier run cached.
    const why = JSON.parse(ws.cli(['why', 'ml:evaluate', '--lr=0.2', '--json']).stdout) as {
      verdict: { kind: string; via?: string };
      upstream: Array<{ step: string; verdict: { kind: string } }>;
    };
    expect(why.verdict).toMatchObject({ kind: 'hit', via: 'nx-cache' });
    expect(why.upstream.find((u) => u.step === 'train')?.verdict.kind).toBe('hit');

    const exp = JSON.parse(ws.cli(['report', 'ml', '--experiments', '--json']).stdout) as Experiments;
    expect(exp.experiments.params).toEqual(['epochs', 'lr']);
    expect(exp.experiments.metrics).toEqual(['f1']);
    expect(exp.experiments.rows.map((r) => [r.params['lr'], r.metrics['f1'], r.ran.join(' ') || '-', r.cached.join(' ') || '-'])).toEqual([
      [0.01, 0.714, 'prepare train evaluate', '-'],
      [0.05, 1, 'train evaluate', 'prepare'],
      [0.2, 0.4, 'train evaluate', 'prepare'],
      [0.05, 1, '-', 'prepare train evaluate'],
    ]);
    const text = ws.cli(['report', 'ml', '--experiments']).stdout;
    expect(text).toContain('Experiments: 4 run(s) of ml recorded');
    expect(text).toMatch(/#\s+started\s+epochs\s+lr\s+f1\s+ran\s+cached\s+command/);
    expect(text.split('\n').find((l) => l.trim().startsWith('4 '))).toMatch(/ 3\s+0\.05\s+1\s+–\s+prepare, train, evaluate\s+nx run ml:evaluate --lr$/);
  });
});
