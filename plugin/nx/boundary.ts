/**
 * The failure boundary of the plugin's hooks (createNodes, preTasksExecution). Problems in pipeline files
 * never reach it: they are diagnostics on the steps, whose targets fail with them. What reaches it stops the
 * command, as Nx does with any error a plugin throws, but always as one diagnostic with a code: bad plugin
 * options (NXS301, thrown as a DiagnosticError), or a stray exception, a bug of ours (NXS900).
 */
import { DiagnosticError, internalError } from '../core/diagnostics';

export async function atPluginBoundary<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw e instanceof DiagnosticError ? e : new DiagnosticError(internalError(e));
  }
}
