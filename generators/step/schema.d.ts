/** Options of `nx g nx-steps:step <name> --pipeline <project>`. */
export interface StepGeneratorSchema {
  /** The step (and target) name: a JavaScript identifier, e.g. train_model. */
  readonly name: string;
  /** The pipeline project that gets the step. */
  readonly pipeline: string;
  /** Upstream steps of the same project whose results the step reads ("a,b" on the command line). */
  readonly needs?: readonly string[] | string;
  /** 'code_hash' (the default, left unwritten when not given), 'input_hash', or false (always run). */
  readonly cache?: 'code_hash' | 'input_hash' | 'false' | false;
  /** The pipeline file, in the project's folder (default: the project's only pipeline file). Created when missing. */
  readonly file?: string;
  /** Leave the changed file as written (default false: format it with the workspace's formatter). */
  readonly skipFormat?: boolean;
}
