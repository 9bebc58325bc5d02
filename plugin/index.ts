/**
 * nx-steps: declare the steps of a pipeline in TypeScript; each becomes a
 * cached Nx task.
 *
 *   import { pipeline, step, file } from 'nx-steps';
 *   export default pipeline({ name: 'etl' });
 *   export const load_data = step({ args: { path: file('data/raw.csv') } }, ({ path }) => read(path));
 */
export { pipeline } from './api/pipeline';
export type { Pipeline, PipelineOptions } from './api/pipeline';
export { step, isStep } from './api/step';
export type {
  AnyStep,
  ArgValue,
  EachSource,
  FanOut,
  FanOutOptions,
  ItemOf,
  CacheOptions,
  CacheStrategy,
  KeyContext,
  Step,
  StepContext,
  StepInput,
  StepLogger,
  StepOptions,
  StepResult,
} from './api/step';
export { file, dir, range } from './api/args';
export { secret } from './api/secret';
export type { DirArg, DirOptions, FileArg, FileOptions, RangeArg } from './api/args';
export type { Json } from './api/json';
export { registerType } from './api/types';
export type { TypeSerializer } from './api/types';
export type { Storable, StorableTypes, ArrowTable } from './api/storable';
import type { PipelineRun, RunPipelineOptions } from './scripts/run-pipeline-types';
export type { PipelineRun, RunPipelineOptions, StepRun } from './scripts/run-pipeline-types';

/**
 * Runs a pipeline from a script. It lives in 'nx-steps/results' (with
 * `loadResult`); this forwarder keeps `import { runPipeline } from 'nx-steps'`
 * working without loading nx and the result codec (or their types) into
 * every pipeline file.
 */
export function runPipeline(project: string, options?: RunPipelineOptions): Promise<PipelineRun> {
  return (require('./scripts/run-pipeline') as { runPipeline: typeof runPipeline }).runPipeline(project, options);
}
