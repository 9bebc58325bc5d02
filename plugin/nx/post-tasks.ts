/**
 * Runs after Nx ran the tasks of a command: records, for each step task,
 * whether it executed, came from the local or remote cache, or was kept on
 * disk, with its duration (see core/records). `nx-steps report` reads the
 * records.
 *
 * A step task is recognised by its output folder, which only nx-steps
 * targets declare, so no graph or pipeline file has to be read here. The
 * hook never fails the command: a record that cannot be written costs a
 * warning, not the run.
 */
import type { PostTasksExecutionContext } from '@nx/devkit';
import { buildRunRecord } from '../core/records/build-record';
import type { ObservedTask } from '../core/records/observe';
import { writeRunRecord } from '../core/records/record-store';
import { RUN_ID_ENV } from '../core/records/run-record';
import { outputDir } from '../core/outputs/layout';
import { nxCommandStart } from './command-start';
import type { NxStepsPluginOptions } from './options';

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

export async function postTasksExecution(_options: NxStepsPluginOptions | undefined, context: PostTasksExecutionContext): Promise<void> {
  try {
    const tasks = Object.values(context.taskResults ?? {}).flatMap((r) => asStepTask(r) ?? []);
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
    if (record) writeRunRecord(context.workspaceRoot, record);
  } catch (e) {
    console.warn(`nx-steps: could not record this run for \`nx-steps report\`: ${e instanceof Error ? e.message : String(e)}`);
  }
}
