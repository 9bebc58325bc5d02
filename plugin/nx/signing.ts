/**
 * The workspace's signing policy (core/outputs/trust.ts) for the processes Nx
 * runs: the hooks, the executors, loadResult. A bad key stops the command
 * with NXS301 (the pre-task hook checks it first). In a step's own process
 * the private key is taken out of the environment before any step code
 * loads, so a step that prints its environment cannot put it in a log or in
 * the terminal output Nx caches and uploads.
 */
import * as path from 'node:path';
import { DiagnosticCodes, DiagnosticError } from '../core/diagnostics';
import type { ResultTrust } from '../core/outputs/trust';
import { openTrust, SIGNING_KEY_VAR } from '../core/outputs/trust';
import type { SigningOptions } from '../core/remote-options';
import { stateDir } from '../core/util/disk-cache';
import { machineStateDir } from './nx-cache';

export function workspaceTrust(
  workspaceRoot: string,
  signing: SigningOptions | undefined,
  env: NodeJS.ProcessEnv,
  options: { readonly takeKey?: boolean } = {},
): ResultTrust | undefined {
  const privateKey = env[SIGNING_KEY_VAR];
  if (options.takeKey) delete env[SIGNING_KEY_VAR];
  const opened = openTrust({
    workspaceRoot,
    signing,
    privateKey,
    stateDir: machineStateDir(workspaceRoot, env) ?? path.join(stateDir(workspaceRoot), 'state'),
  });
  if (!opened.ok) {
    throw new DiagnosticError({
      code: DiagnosticCodes.badPluginOptions,
      severity: 'error',
      message: `nx-steps/plugin: ${opened.error}.`,
      hint: 'Fix "signing" in the options of nx-steps/plugin in nx.json, or the key in NX_STEPS_SIGNING_KEY (`npx nx-steps signing-key` makes a pair).',
    });
  }
  return opened.value;
}
