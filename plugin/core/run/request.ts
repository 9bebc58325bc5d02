/** What the engine needs to run one step, and how its failures are reported. */
import type { Diagnostic } from '../diagnostics';

export interface RunStepRequest {
  readonly workspaceRoot: string;
  /** Nx project name (for messages). */
  readonly project: string;
  readonly projectRoot: string;
  readonly step: string;
  /** Every pipeline file of the project, workspace-relative. */
  readonly pipelineFiles: readonly string[];
  /** Executor options: command-line param overrides. */
  readonly overrides: Readonly<Record<string, unknown>>;
  /**
   * The targets of this project in the run (from Nx's task graph): the steps
   * the overrides reach. Default: the step and every step it needs.
   */
  readonly runSteps?: readonly string[] | undefined;
  /**
   * The value Nx hashed as this step's `{env}` input (set by the pre-task
   * hook), when the step runs as an Nx task. The engine checks its own key
   * against it: a difference means code or data changed after Nx computed its
   * cache key, and Nx would store the result under a key that does not
   * describe it.
   */
  readonly hashedAs?: string | undefined;
  /** Nx's hash of this task (NX_TASK_HASH), recorded next to the outputs it produced. */
  readonly nxHash?: string | undefined;
}

export function problem(
  req: Pick<RunStepRequest, 'project' | 'step'>,
  code: Diagnostic['code'],
  message: string,
  hint: string,
  extra: Partial<Diagnostic> = {},
): Diagnostic {
  return { code, severity: 'error', message, hint, project: req.project, step: req.step, ...extra };
}
