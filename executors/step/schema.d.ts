/** The executor has no options of its own: every option is a param override for this run. */
export type StepExecutorOptions = Record<string, unknown>;
