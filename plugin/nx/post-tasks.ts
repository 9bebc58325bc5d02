/**
 * Runs after Nx ran the tasks of a command: records, for each step task,
 * whether it executed, came from the local or remote cache, or was kept on
 * disk, with its duration (see core/records), and prints how many step
 * functions were called (core/records/run-summary.ts). `nx-steps report`
 * reads the records.
 *
 * A step task is recognised by its output folder, which only nx-steps
 * targets declare, so no graph or pipeline file has to be read here. The
 * hook never fails the command: a record that cannot be written costs a
 * warning, not the run.
 */
import type { PostTasksExecutionContext } from '@nx/devkit';
import { buildRunRecord } from '../core/records/build-record';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTime } from '../core/fingerprint/ttl';
import { saltStep } from '../core/fingerprint/workspace-pass';
import type { MisfiledResult, ObservedTask } from '../core/records/observe';
import { misfiledResults } from '../core/records/observe';
import { createServices, loadWorkspaceModel } from '../core/workspace';
import { discoverPipelineFiles } from './discover';
import { machineStateDir } from './nx-cache';
import { pluginLog } from './nx-internals';
import { normalizeOptions } from '../core/plugin-options';
import { writeRunRecord } from '../core/records/record-store';
import { RUN_ID_ENV } from '../core/records/run-record';
import { runSummaryLine } from '../core/records/run-summary';
import { outputDir } from '../core/outputs/layout';
import { nxCommandStart } from './command-start';
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

/**
 * Results Nx restored that were produced for another task hash are removed,
 * and their step's key salted on this machine, so that cache entry is never
 * used again (see core/outputs/task-stamp.ts). Loud: this command used them.
 */
async function dropMisfiled(options: NxStepsPluginOptions | undefined, workspaceRoot: string, misfiled: readonly MisfiledResult[]): Promise<void> {
  const normalized = normalizeOptions(options);
  const files = await discoverPipelineFiles(workspaceRoot, normalized.pipelines);
  const services = createServices(workspaceRoot, { machineStateDir: machineStateDir(workspaceRoot), secretParams: normalized.secretParams });
  try {
    const model = loadWorkspaceModel(services, files);
    for (const { task, madeFor } of misfiled) {
      const project = model.projects.find((p) => p.root === task.projectRoot);
      const step = project?.steps.find((s) => s.name === task.step);
      const salted =
        project && step ? saltStep(services, project, step, 'recovery', runTime()) : { ok: false as const, error: 'the step is no longer declared' };
      fs.rmSync(path.join(workspaceRoot, outputDir(task.projectRoot, task.step)), { recursive: true, force: true });
      pluginLog(
        'warn',
        `nx-steps: the result Nx restored for ${task.project}:${task.step} was produced for another task (Nx hash ${madeFor}, not ${task.nxHash ?? '?'}): ` +
          'an overlapping Nx command replaced its outputs while they were being cached. They were removed' +
          `${salted.ok ? ", and the step's key salted on this machine so that cache entry is never used again" : ` (the key could not be salted: ${salted.error})`}. ` +
          'Run the command again: steps that used this result in this command recompute.',
      );
    }
  } finally {
    services.flush();
  }
}

export async function postTasksExecution(options: NxStepsPluginOptions | undefined, context: PostTasksExecutionContext): Promise<void> {
  try {
    const tasks = Object.values(context.taskResults ?? {}).flatMap((r) => asStepTask(r) ?? []);
    const misfiled = misfiledResults(context.workspaceRoot, tasks);
    if (misfiled.length > 0) await dropMisfiled(options, context.workspaceRoot, misfiled);
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
}
