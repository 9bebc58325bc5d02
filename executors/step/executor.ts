/**
 * `nx-steps:step`: runs one step. Thin: it reads what Nx knows from the
 * executor context and hands it to the engine (plugin/core/run), with Nx's
 * cache behind the engine's `EntryCache` interface. The engine is a defaulted
 * parameter, so tests can replace it.
 */
import type { ExecutorContext } from '@nx/devkit';
import { formatWorkspaceDiagnostics, internalError } from '../../plugin/core/diagnostics';
import { consoleLog } from '../../plugin/core/run/log';
import type { RunStepDeps, RunStepOutcome, RunStepRequest } from '../../plugin/core/run/run-step';
import { runStep } from '../../plugin/core/run/run-step';
import { createServices } from '../../plugin/core/workspace';
import type { EntryCacheBounds } from '../../plugin/nx/nx-cache';
import { lazyEntryCache, machineStateDir, openEntryCache } from '../../plugin/nx/nx-cache';
import { workspaceTrust } from '../../plugin/nx/signing';
import type { ResultTrust } from '../../plugin/core/outputs/trust';
import { pluginOptionsOf, stepRequest } from './request';
import type { NormalizedOptions } from '../../plugin/core/plugin-options';
import { DEFAULT_OPTIONS } from '../../plugin/core/plugin-options';
import type { StepExecutorOptions } from './schema';

export type Engine = (req: RunStepRequest, deps: RunStepDeps) => Promise<RunStepOutcome>;

/** The signing policy and the bounds of step-keyed lookups, from nx.json (remoteSetup). */
export interface RemoteSetup {
  readonly trust?: ResultTrust | undefined;
  readonly bounds?: EntryCacheBounds;
}

/** What the options in nx.json say about signing and the remote cache, for a task process; takes the signing key out of the environment. */
export function remoteSetup(root: string, options: NormalizedOptions, env: NodeJS.ProcessEnv): RemoteSetup {
  return { trust: workspaceTrust(root, options.signing, env, { takeKey: true }), bounds: { timeoutMs: options.remoteCache.budgetMs } };
}

/** The engine's dependencies for a step run by Nx: this workspace's services, Nx's cache, Nx's flags. */
export function nxDeps(
  root: string,
  req: RunStepRequest,
  log: RunStepDeps['log'] & object,
  env: NodeJS.ProcessEnv,
  options: NormalizedOptions = DEFAULT_OPTIONS,
  remote: RemoteSetup = {},
): RunStepDeps & { services: ReturnType<typeof createServices> } {
  return {
    services: createServices(root, { machineStateDir: machineStateDir(root), secretParams: options.secretParams, env, trust: remote.trust }),
    log,
    entries: lazyEntryCache(() => openEntryCache(root, { project: req.project, target: req.step }, env, (m) => log.note(m), remote.bounds)),
    // `--skip-nx-cache`: Nx looks nothing up; neither does the engine.
    skipLookups: env['NX_SKIP_NX_CACHE'] === 'true',
    env,
  };
}

/**
 * The failure boundary of both executors: expected failures come back from the engine as values; a stray
 * exception (a broken invariant, a bug of ours) becomes one NXS900 diagnostic for this step.
 */
export async function runGuarded(engine: Engine, req: RunStepRequest, deps: RunStepDeps): Promise<RunStepOutcome> {
  try {
    return await engine(req, deps);
  } catch (e) {
    return { ok: false, diagnostics: [internalError(e, { project: req.project, step: req.step })] };
  }
}

export default async function stepExecutor(options: StepExecutorOptions, context: ExecutorContext, engine: Engine = runStep): Promise<{ success: boolean }> {
  const request = stepRequest(context, context.projectName, context.targetName, options, process.env, { nxHash: process.env['NX_TASK_HASH'] });
  if (!request.ok) {
    console.error(`\n${formatWorkspaceDiagnostics(context.root, [request.error])}\n`);
    return { success: false };
  }
  const req = request.value;
  const plugin = pluginOptionsOf(context);
  const deps = nxDeps(context.root, req, consoleLog(`${req.project}:${req.step}`), process.env, plugin, remoteSetup(context.root, plugin, process.env));
  let outcome: RunStepOutcome;
  try {
    outcome = await runGuarded(engine, req, deps);
  } finally {
    deps.services.flush();
  }
  if (!outcome.ok) {
    console.error(`\n${formatWorkspaceDiagnostics(context.root, outcome.diagnostics)}\n`);
    return { success: false };
  }
  return { success: true };
}
