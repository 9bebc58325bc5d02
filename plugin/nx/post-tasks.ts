/**
 * Runs after Nx ran the tasks of a command: records, for each step task,
 * whether it executed, came from the local or remote cache, or was kept on
 * disk, with its duration (see core/records), and prints how many step
 * functions were called (core/records/run-summary.ts). `nx-steps report`
 * reads the records.
 *
 * A step task is recognised by its output folder, which only nx-steps
 * targets declare, so no graph or pipeline file has to be read here. A
 * record that cannot be written costs a warning, not the run.
 *
 * It also checks every step result Nx restored from its cache in this
 * command (core/records/restored.ts): one that is unusable is removed, its
 * step's key salted, and the command ends with NXS207 and the command to run
 * again. And it stops this command's remote-cache guard, printing what the
 * guard saw.
 */
import type { PostTasksExecutionContext } from '@nx/devkit';
import { buildRunRecord } from '../core/records/build-record';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTime } from '../core/fingerprint/ttl';
import { saltStep } from '../core/fingerprint/workspace-pass';
import type { MisfiledResult, ObservedTask } from '../core/records/observe';
import { misfiledResults } from '../core/records/observe';
import type { Services } from '../core/workspace';
import { createServices, loadWorkspaceModel } from '../core/workspace';
import type { WorkspaceModel } from '../core/model/project-model';
import { DiagnosticCodes, DiagnosticError } from '../core/diagnostics';
import type { UnusableRestore } from '../core/records/restored';
import { confirmUnusable, RESTORED_STATUSES, unusableRestores } from '../core/records/restored';
import { discoverPipelineFiles } from './discover';
import { machineStateDir } from './nx-cache';
import { pluginLog } from './nx-internals';
import { normalizeOptions } from '../core/plugin-options';
import { writeRunRecord } from '../core/records/record-store';
import { RUN_ID_ENV } from '../core/records/run-record';
import { runSummaryLine } from '../core/records/run-summary';
import { outputDir } from '../core/outputs/layout';
import { nxCommandStart } from './command-start';
import { finishGuard, guardWarnings } from './remote-cache-guard';
import { workspaceTrust } from './signing';
import { maskNxRunFile } from './nx-run-file';
import type { NxStepsPluginOptions } from '../core/plugin-options';

type NxTaskResult = PostTasksExecutionContext['taskResults'][string];

function asStepTask(result: NxTaskResult): ObservedTask | undefined {
  const { task } = result;
  const root = task.projectRoot;
  if (root === undefined || !task.outputs.includes(outputDir(root, task.target.target))) return undefined;
  return {
    project: task.target.project,
    projectRoot: root,
    step: task.target.target,
    nxStatus: result.status,
    cacheable: task.cache,
    ...(task.startTime !== undefined ? { startTime: task.startTime } : {}),
    ...(task.endTime !== undefined ? { endTime: task.endTime } : {}),
    ...(task.hash !== undefined ? { nxHash: task.hash } : {}),
  };
}

/** A step result to remove, and why (the rest of the sentence after "the result Nx restored for p:s"). */
interface Dropped {
  readonly task: ObservedTask;
  readonly why: string;
}

/**
 * Removes results Nx restored that must not be used, and salts their step's
 * key on this machine so that cache entry is never used again: results
 * produced for another task hash (see core/outputs/task-stamp.ts), and
 * results that fail verification (core/records/restored.ts). Loud: this
 * command used them, or reported them done.
 */
function dropAndSalt(services: Services, model: WorkspaceModel, dropped: readonly Dropped[]): void {
  for (const { task, why } of dropped) {
    const project = model.projects.find((p) => p.root === task.projectRoot);
    const step = project?.steps.find((s) => s.name === task.step);
    const salted = project && step ? saltStep(services, project, step, 'recovery', runTime()) : { ok: false as const, error: 'the step is no longer declared' };
    fs.rmSync(path.join(services.workspaceRoot, outputDir(task.projectRoot, task.step)), { recursive: true, force: true });
    pluginLog(
      'warn',
      `nx-steps: the result Nx restored for ${task.project}:${task.step} ${why}. It was removed` +
        `${salted.ok ? ", and the step's key salted on this machine so that cache entry is never used again" : ` (the key could not be salted: ${salted.error})`}.`,
    );
  }
}

function misfiledDrops(misfiled: readonly MisfiledResult[]): Dropped[] {
  return misfiled.map(({ task, madeFor }) => ({
    task,
    why:
      `was produced for another task (Nx hash ${madeFor}, not ${task.nxHash ?? '?'}): an overlapping Nx command replaced its outputs while they were being cached. ` +
      'Run the command again: steps that used it in this command recompute',
  }));
}

/**
 * Checks the results Nx restored in this command, and drops the results to
 * drop. Returns the restored results that were unusable: the command must not
 * look successful with them.
 */
async function checkResults(options: NxStepsPluginOptions | undefined, workspaceRoot: string, tasks: readonly ObservedTask[]): Promise<UnusableRestore[]> {
  const misfiled = misfiledResults(workspaceRoot, tasks);
  const restored = tasks.filter((t) => RESTORED_STATUSES.has(t.nxStatus) && !misfiled.some((m) => m.task === t));
  if (misfiled.length === 0 && restored.length === 0) return [];
  const normalized = normalizeOptions(options);
  const trust = workspaceTrust(workspaceRoot, normalized.signing, process.env);
  const services = createServices(workspaceRoot, { machineStateDir: machineStateDir(workspaceRoot), secretParams: normalized.secretParams, trust });
  try {
    const read = { digestOf: (f: string) => services.hasher.digest(f), trust };
    const suspect = unusableRestores(workspaceRoot, restored, read);
    if (misfiled.length === 0 && suspect.length === 0) return [];
    const { confirmed, release } = await confirmUnusable(workspaceRoot, suspect, read);
    try {
      const model = loadWorkspaceModel(services, await discoverPipelineFiles(workspaceRoot, normalized.pipelines));
      dropAndSalt(services, model, [...misfiledDrops(misfiled), ...confirmed.map((u) => ({ task: u.task, why: `is unusable (${u.detail})` }))]);
    } finally {
      release();
    }
    return confirmed;
  } finally {
    services.flush();
  }
}

/** The failure that ends a command whose restored results were unusable: running it again recomputes them. */
function unusableError(unusable: readonly UnusableRestore[], argv: readonly string[]): DiagnosticError {
  const steps = unusable.map((u) => `${u.task.project}:${u.task.step}`).join(', ');
  const again = argv.length > 2 ? `nx ${argv.slice(2).join(' ')}` : `nx run ${unusable[0]?.task.project}:${unusable[0]?.task.step}`;
  return new DiagnosticError({
    code: DiagnosticCodes.corruptOutput,
    severity: 'error',
    message: `Nx restored ${steps} from its cache, but ${unusable.length === 1 ? 'the result is' : 'the results are'} unusable; nothing of it is left in the workspace.`,
    hint: `Run the command again: ${again} (the step${unusable.length === 1 ? '' : 's'} recompute${unusable.length === 1 ? 's' : ''}).`,
  });
}

/** Stops this command's remote-cache guard and prints what it saw (nothing when all went well). */
async function reportGuard(context: PostTasksExecutionContext): Promise<void> {
  const finished = await finishGuard(context.workspaceRoot, context.id);
  if (!finished) return;
  const byHash = new Map(Object.values(context.taskResults ?? {}).flatMap((r) => (r.task.hash ? [[r.task.hash, r.task.id] as const] : [])));
  for (const w of guardWarnings(finished.status, finished.server, (hash) => byHash.get(hash))) pluginLog('warn', w);
}

export async function postTasksExecution(options: NxStepsPluginOptions | undefined, context: PostTasksExecutionContext): Promise<void> {
  await reportGuard(context).catch((e: unknown) => {
    pluginLog('warn', `nx-steps: could not stop this command's remote-cache guard (it ends with the command): ${e instanceof Error ? e.message : String(e)}`);
  });
  let unusable: UnusableRestore[] = [];
  try {
    const tasks = Object.values(context.taskResults ?? {}).flatMap((r) => asStepTask(r) ?? []);
    unusable = await checkResults(options, context.workspaceRoot, tasks).catch((e: unknown) => {
      pluginLog('warn', `nx-steps: could not check the results Nx restored: ${e instanceof Error ? e.message : String(e)}`);
      return [];
    });
    const runId = process.env[RUN_ID_ENV];
    const record = buildRunRecord(context.workspaceRoot, {
      id: context.id,
      ...(runId ? { runId } : {}),
      argv: context.argv,
      startTime: context.startTime,
      endTime: context.endTime,
      commandStartTime: nxCommandStart(),
      tasks,
    });
    if (record) {
      writeRunRecord(context.workspaceRoot, record);
      // Beside Nx's "Cache: N/M hit", which counts a step kept on disk or restored by its own key as a miss.
      // On stderr: stdout may be read by a tool.
      const line = runSummaryLine(record);
      if (line) pluginLog('warn', `\n${line}`);
    }
    maskNxRunFile(context.workspaceRoot, context.argv);
  } catch (e) {
    pluginLog('warn', `nx-steps: could not record this run for \`nx-steps report\`: ${e instanceof Error ? e.message : String(e)}`);
  }
  // Thrown from the hook, so Nx ends the command with it (exit code 1).
  if (unusable.length > 0) throw unusableError(unusable, context.argv);
}
