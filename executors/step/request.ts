/** What the engine needs about one task, read from the Nx executor context. */
import type { ExecutorContext } from '@nx/devkit';
import type { Diagnostic } from '../../plugin/core/diagnostics';
import { DiagnosticCodes } from '../../plugin/core/diagnostics';
import { fingerprintEnvName } from '../../plugin/core/fingerprint/env-name';
import type { RunStepRequest } from '../../plugin/core/run/run-step';
import type { Result } from '../../plugin/core/util/result';
import { fail, ok } from '../../plugin/core/util/result';
import type { StepTargetMetadata } from '../../plugin/nx/targets';
import type { NormalizedOptions } from '../../plugin/core/plugin-options';
import { checkOptions, DEFAULT_OPTIONS, PLUGIN } from '../../plugin/core/plugin-options';

export interface TaskIdentity {
  /** Nx's hash of the task, where Nx says. */
  readonly nxHash?: string | undefined;
}

export function stepRequest(
  context: ExecutorContext,
  project: string | undefined,
  step: string | undefined,
  options: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  task: TaskIdentity = {},
): Result<RunStepRequest, Diagnostic> {
  const config = project ? context.projectsConfigurations.projects[project] : undefined;
  const meta = (step ? config?.targets?.[step]?.metadata : undefined)?.['nxSteps'] as StepTargetMetadata | undefined;
  if (!project || !step || !config || !meta) {
    return fail({
      code: DiagnosticCodes.badPluginOptions,
      severity: 'error',
      message: `${project ?? '?'}:${step ?? '?'} is not a step inferred by nx-steps/plugin.`,
      hint: 'Register the plugin in nx.json ("plugins": ["nx-steps/plugin"]) and let it create the target.',
    });
  }
  return ok({
    workspaceRoot: context.root,
    project,
    projectRoot: config.root,
    step,
    pipelineFiles: meta.pipelineFiles,
    overrides: options,
    runSteps: runTargets(context, project),
    // The value the pre-task hook set for this step, which Nx hashed.
    hashedAs: env[fingerprintEnvName(config.root, step)],
    nxHash: task.nxHash,
  });
}

/**
 * The plugin's options as nx.json gives them (the secret params' pattern shapes the step's key). Options
 * that do not check out failed the project graph already (NXS301), so this step never runs with them.
 */
export function pluginOptionsOf(context: Pick<ExecutorContext, 'nxJsonConfiguration'>): NormalizedOptions {
  const checked = checkOptions(pluginEntryOptions(context.nxJsonConfiguration?.plugins));
  return checked.ok ? checked.value : DEFAULT_OPTIONS;
}

function pluginEntryOptions(plugins: readonly unknown[] | undefined): unknown {
  const entry = (plugins ?? []).find((p) => (typeof p === 'string' ? p : (p as { plugin?: unknown } | null)?.plugin) === PLUGIN);
  return typeof entry === 'object' && entry !== null ? (entry as { options?: unknown }).options : undefined;
}

/** This project's targets in the run (Nx's task graph): the steps the command's overrides reach. */
function runTargets(context: ExecutorContext, project: string): string[] | undefined {
  const tasks = context.taskGraph?.tasks;
  return tasks ? Object.values(tasks).flatMap((t) => (t.target.project === project ? [t.target.target] : [])) : undefined;
}
