/**
 * Runs before Nx hashes any task: sets each step's live fingerprint as its
 * env input, and keeps nx-steps.lock.json current outside CI (in CI it only
 * warns, like `nx sync:check` would). See core/fingerprint/workspace-pass.ts.
 * It also keeps an unusable self-hosted remote cache from failing the run
 * (remote-cache-guard.ts).
 */
import type { PreTasksExecutionContext } from '@nx/devkit';
import { LOCK_FILE, writeLockIfChanged } from '../core/fingerprint/lock-file';
import { fingerprintWorkspace } from '../core/fingerprint/workspace-pass';
import { isCI } from '../core/util/ci';
import { createServices, loadWorkspaceModel } from '../core/workspace';
import { discoverPipelineFiles } from './discover';
import type { NxStepsPluginOptions } from './options';
import { normalizeOptions } from './options';
import { guardSelfHostedRemoteCache } from './remote-cache-guard';

export async function preTasksExecution(rawOptions: NxStepsPluginOptions | undefined, context: PreTasksExecutionContext): Promise<void> {
  const options = normalizeOptions(rawOptions);
  const files = await discoverPipelineFiles(context.workspaceRoot, options.pipelines);
  if (files.length === 0) return;
  await guardSelfHostedRemoteCache(process.env, context.argv);
  const services = createServices(context.workspaceRoot);
  try {
    const pass = fingerprintWorkspace(services, loadWorkspaceModel(services, files));
    Object.assign(process.env, pass.env);
    for (const w of pass.warnings) console.warn(`nx-steps: ${w}`);
    if (!pass.lockChanged) return;
    if (!isCI()) {
      writeLockIfChanged(context.workspaceRoot, pass.lockText);
    } else {
      console.warn(`nx-steps: ${LOCK_FILE} is out of date. Runs stay correct, but \`nx affected\` reads this file: run \`nx sync\` locally and commit it; \`nx sync:check\` in CI catches this.`);
    }
  } finally {
    services.flush();
  }
}
