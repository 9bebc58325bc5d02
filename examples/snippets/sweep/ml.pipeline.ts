/**
 * The README's sweep example (Sweeps and fan-out), type-checked with the
 * repository (`npm run typecheck`): a param several steps share, flowing from
 * `nx run ml:evaluate --lr=...` into train, and a metric for the experiments view.
 */
import * as fs from 'node:fs';
import { file, pipeline, step } from 'nx-steps';

/** Stands in for reading a CSV: its numbers. */
function load(raw: string): number[] {
  return fs.readFileSync(raw, 'utf8').split(/[,\n]/).map(Number).filter(Number.isFinite);
}

/** Stands in for a model fit. */
function fit(data: number[], lr: number, epochs: number): { weight: number } {
  let weight = 0;
  for (let e = 0; e < epochs; e++) for (const x of data) weight += lr * (x - weight);
  return { weight };
}

function score(model: { weight: number }): number {
  return 1 / (1 + Math.abs(1 - model.weight));
}

// ml/ml.pipeline.ts
const ml = pipeline({ name: 'ml', params: { lr: 0.1 } });   // params several steps share: one default
export default ml;

export const prepare = step({ args: { raw: file('data/train.csv') } }, ({ raw }) => load(raw));
export const train = step({ needs: { data: prepare }, params: { lr: ml.params.lr, epochs: 10 }, cache: 'input_hash' },
  ({ data, lr, epochs }) => fit(data, lr, epochs));
export const evaluate = step({ needs: { model: train } }, ({ model }, ctx) => {
  const f1 = score(model);
  ctx.metric('f1', f1);                                    // shown by the experiments view
  return { f1 };
});
