/**
 * `nx-steps:step`: runs one step. Thin: it reads what Nx knows from the
 * executor context and hands it to the engine (plugin/core/run), which is
 * passed as a defaulted parameter so tests can replace it.
 */
import type { ExecutorContext } from '@nx/devkit';
import type { RunStepOutcome, RunStepRequest } from '../../plugin/core/run/run-step';
import { renderFailure, runStep } from '../../plugin/core/run/run-step';
import type { StepTargetMetadata } from '../../plugin/nx/targets';
import type { StepExecutorOptions } from './schema';

export default async function stepExecutor(
  options: StepExecutorOptions,
  context: ExecutorContext,
  engine: (req: RunStepRequest) => Promise<RunStepOutcome> = runStep,
): Promise<{ success: boolean }> {
  const project = context.projectName;
  const step = context.targetName;
  const config = project ? context.projectsConfigurations.projects[project] : undefined;
  const meta = (step ? config?.targets?.[step]?.metadata : undefined)?.['nxSteps'] as StepTargetMetadata | undefined;
  if (!project || !step || !config || !meta) {
    console.error(`nx-steps: ${project ?? '?'}:${step ?? '?'} is not a step inferred by nx-steps/plugin. Register the plugin in nx.json ("plugins": ["nx-steps/plugin"]) and let it create the target.`);
    return { success: false };
  }
  const outcome = await engine({
    workspaceRoot: context.root,
    project,
    projectRoot: config.root,
    step,
    pipelineFiles: meta.pipelineFiles,
    overrides: options,
  });
  if (!outcome.ok) {
    console.error(`\n${renderFailure(context.root, outcome.diagnostics)}\n`);
    return { success: false };
  }
  return { success: true };
}
