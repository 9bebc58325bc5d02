/** `export default pipeline({ name })`: names the project and sets pipeline-wide defaults. */
import type { Json } from './json';

export const PIPELINE_BRAND = Symbol.for('nx-steps.pipeline');

export interface PipelineOptions<P extends Record<string, Json> = Record<string, Json>> {
  /** The Nx project name, when no project already stands in the pipeline file's folder. */
  readonly name?: string;
  /** false turns caching off for every step of this file (flowyml's enable_cache=False). */
  readonly cache?: boolean;
  readonly description?: string;
  /**
   * Params several steps share: one default here, used by a step as
   * `params: { lr: ml.params.lr }` (same name). An override (`--lr=0.05`)
   * reaches every step of the run that declares the param.
   */
  readonly params?: P;
}

export interface Pipeline<P extends Record<string, Json> = Record<string, Json>> {
  readonly [PIPELINE_BRAND]: true;
  readonly options: PipelineOptions<P>;
  /** The shared params' defaults, for steps to declare: `params: { lr: ml.params.lr }`. */
  readonly params: P;
}

export function pipeline<P extends Record<string, Json> = {}>(options: PipelineOptions<P> = {}): Pipeline<P> {
  return { [PIPELINE_BRAND]: true, options, params: options.params ?? ({} as P) };
}
