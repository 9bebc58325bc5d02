/** Options of `nx g nx-steps:init` (what `nx add nx-steps` runs). */
export interface InitGeneratorSchema {
  /** Leave the changed files as written (default false: format them with the workspace's formatter). */
  readonly skipFormat?: boolean;
}
