/**
 * The README's custom cache key example, type-checked with the repository
 * (`npm run typecheck`). Not a pipeline file of the example workspace.
 */
import { step } from 'nx-steps';

/** Stands in for a real training routine. */
async function fit(learningRate: number): Promise<{ learningRate: number; weights: number[] }> {
  return { learningRate, weights: [learningRate * 2, learningRate * 3] };
}

export const train = step(
  { params: { lr: 0.1 }, cache: { strategy: 'input_hash', key: ({ env }) => ({ registry: env.MODEL_REGISTRY_TAG ?? 'none' }) } },
  async ({ lr }) => fit(lr),
);
