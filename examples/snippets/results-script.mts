/**
 * The README's script example, type-checked with the repository
 * (`npm run typecheck`); run inside a workspace with nx-steps installed and
 * the ml pipeline beside it: node --import tsx results-script.mts
 */
import { loadResult, runPipeline } from 'nx-steps/results';
import type { evaluate } from './ml/ml.pipeline.js';

const metrics = await loadResult<typeof evaluate>('ml:evaluate');   // typed as evaluate's result
const run = await runPipeline('ml');
console.log(run.values.evaluate);                                   // each step's result, decoded on first use
console.log(metrics.f1);
