/** Options of `nx g nx-steps:pipeline <name>`. */
export interface PipelineGeneratorSchema {
  /** The project name: `nx run <name>:summarize`. Letters, digits, '.', '_' and '-'. */
  readonly name: string;
  /** The project folder, relative to the workspace root (default: the name). */
  readonly directory?: string;
  /** Leave the generated files as written (default false: format them with the workspace's formatter). */
  readonly skipFormat?: boolean;
}
