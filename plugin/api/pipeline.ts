/** `export default pipeline({ name })`: names the project and sets pipeline-wide defaults. */
export const PIPELINE_BRAND = Symbol.for('nx-steps.pipeline');

export interface PipelineOptions {
  /** The Nx project name, when no project already stands in the pipeline file's folder. */
  readonly name?: string;
  /** false turns caching off for every step of this file (flowyml's enable_cache=False). */
  readonly cache?: boolean;
  readonly description?: string;
}

export interface Pipeline {
  readonly [PIPELINE_BRAND]: true;
  readonly options: PipelineOptions;
}

export function pipeline(options: PipelineOptions = {}): Pipeline {
  return { [PIPELINE_BRAND]: true, options };
}
