/**
 * `nx-steps:step`: runs one step. Thin: it reads what Nx knows from the
 * executor context and hands it to the engine (plugin/core/run), which is
 * passed as a defaulted parameter so tests can replace it.
 */
import type { ExecutorContext } from '@nx/devkit';
import type { RunStepOutcome, RunStepRequest } from '../../plugin/core/run/run-step';
import { formatWorkspaceDiagnostics } from '../../plugin/core/diagnostics';
import { runStep } from '../../plugin/core/run/run-step';
import { stepRequest } from './request';
import type { StepExecutorOptions } from './schema';

export default async function stepExecutor(
  options: StepExecutorOptions,
  context: ExecutorContext,
  engine: (req: RunStepRequest) => Promise<RunStepOutcome> = runStep,
): Promise<{ success: boolean }> {
  const req = stepRequest(context, context.projectName, context.targetName, options);
  if (typeof req === 'string') {
    console.error(req);
    return { success: false };
  }
  const outcome = await engine(req);
  if (!outcome.ok) {
    console.error(`\n${formatWorkspaceDiagnostics(context.root, outcome.diagnostics)}\n`);
    return { success: false };
  }
  return { success: true };
}
