/**
 * nx-steps/results: step results in scripts and notebooks. Kept apart from
 * 'nx-steps' (which every pipeline file imports, and which stays light): this
 * entry loads the workspace model, the result codec and nx.
 *
 *   import { loadResult, runPipeline } from 'nx-steps/results';
 *   const metrics = await loadResult<typeof evaluate>('ml:evaluate');
 *   const run = await runPipeline('ml');   run.values.evaluate
 */
export { loadResult, ResultError } from './scripts/load-result';
export type { LoadedResult, LoadResultOptions } from './scripts/load-result';
export { runPipeline } from './scripts/run-pipeline';
export type { PipelineRun, RunPipelineOptions, StepRun } from './scripts/run-pipeline';
