/**
 * Runs before Nx hashes any task: sets each step's live fingerprint as its
 * env input, and keeps nx-steps.lock.json current outside CI (in CI it only
 * warns, like `nx sync:check` would). See core/fingerprint/workspace-pass.ts.
 * It also puts the remote-cache guard between Nx and a self-hosted server
 * for this command (remote-cache-guard.ts).
 */
import type { PreTasksExecutionContext } from '@nx/devkit';
import { formatDiagnostic } from '../core/diagnostics';
import { LOCK_FILE, updateLock } from '../core/fingerprint/lock-file';
import { RUN_TIME_ENV, runTime } from '../core/fingerprint/ttl';
import { fingerprintWorkspace } from '../core/fingerprint/workspace-pass';
import { isCI } from '../core/util/ci';
import { createServices, loadWorkspaceModel } from '../core/workspace';
import { atPluginBoundary } from './boundary';
import { discoverPipelineFiles } from './discover';
import type { NxStepsPluginOptions } from '../core/plugin-options';
import { normalizeOptions } from '../core/plugin-options';
import { MACHINE_STATE_ENV, machineStateDir } from './nx-cache';
import { databaseDirUnknown } from './nx-internals';
import { guardSelfHostedRemoteCache, rememberGuard, remoteCacheSkipped } from './remote-cache-guard';
import { workspaceTrust } from './signing';
import { uploadsOffReason } from '../core/outputs/trust';

export function preTasksExecution(rawOptions: NxStepsPluginOptions | undefined, context: PreTasksExecutionContext): Promise<void> {
  return atPluginBoundary(() => prepareTasks(rawOptions, context));
}

async function prepareTasks(rawOptions: NxStepsPluginOptions | undefined, context: PreTasksExecutionContext): Promise<void> {
  const options = normalizeOptions(rawOptions);
  const files = await discoverPipelineFiles(context.workspaceRoot, options.pipelines);
  if (files.length === 0) return;
  // Checked before anything runs: a bad key stops the command here (NXS301), once.
  const trust = workspaceTrust(context.workspaceRoot, options.signing, process.env);
  const guard = await guardSelfHostedRemoteCache(process.env, context.argv, console.warn, {
    settings: options.remoteCache,
    uploadsOff: uploadsOffReason(trust),
  });
  if (guard.kind === 'guarded') rememberGuard(context.workspaceRoot, context.id, guard);
  // Nx hands its task processes NX_SKIP_NX_CACHE but not --skip-remote-cache: step-keyed lookups need it too.
  if (remoteCacheSkipped(process.env, context.argv)) process.env['NX_SKIP_REMOTE_CACHE'] = 'true';
  const stateDir = machineStateDir(context.workspaceRoot);
  if (stateDir) process.env[MACHINE_STATE_ENV] = stateDir;
  else console.warn(`nx-steps: ${databaseDirUnknown(context.workspaceRoot)}.`);
  const services = createServices(context.workspaceRoot, { machineStateDir: stateDir, secretParams: options.secretParams });
  try {
    // One clock reading per run, handed to the step processes, so TTL windows
    // agree between the hash and the executor.
    const now = runTime(process.env);
    const pass = fingerprintWorkspace(services, loadWorkspaceModel(services, files), { now, env: process.env });
    Object.assign(process.env, pass.env, { [RUN_TIME_ENV]: String(now) });
    for (const w of pass.warnings) console.warn(`nx-steps: ${w}`);
    if (!pass.lockChanged) return;
    if (!isCI()) {
      const written = updateLock(context.workspaceRoot, pass.lockText);
      if (!written.ok) console.warn(`\nnx-steps: ${formatDiagnostic(written.error)}\n`);
    } else {
      console.warn(
        `nx-steps: ${LOCK_FILE} is out of date. Runs stay correct, but \`nx affected\` reads this file: run \`nx sync\` locally and commit it; \`nx sync:check\` in CI catches this.`,
      );
    }
  } finally {
    services.flush();
  }
}
