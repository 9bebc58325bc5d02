/**
 * The batch implementation of `nx-steps:step`, used with `nx run ... --batch`
 * (or NX_BATCH_MODE=true): every step of the run that Nx did not restore
 * executes in one process, in dependency order, so there is no process start
 * per step and each pipeline module is loaded once.
 *
 * Every step in a batch gets the same lookups as a step run on its own: Nx
 * 24 hashes a step that reads an upstream result only after that upstream
 * ran, and runs such steps inside the batch without looking them up in its
 * cache; the engine looks each one up by its own key (outputs on disk, then
 * the step-keyed entry in the local and remote cache) before calling it.
 *
 * Output: what a step prints while it runs (its `ctx.log`, and `console` or
 * `process.stdout` writes) is captured into that step's own terminal output,
 * which Nx shows under the step's heading and caches with it. Progress lines
 * are also written live, prefixed with the step's name, so a long step shows
 * progress before the batch ends.
 *
 * Steps in one process share module state (a module-level variable one step
 * changes is seen by the next); without --batch each step has its own process.
 */
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { formatWorkspaceDiagnostics } from '../../plugin/core/diagnostics';
import type { RunLog } from '../../plugin/core/run/log';
import type { RunStepOutcome } from '../../plugin/core/run/run-step';
import { runStep } from '../../plugin/core/run/run-step';
import { createServices } from '../../plugin/core/workspace';
import { lazyEntryCache, machineStateDir, openEntryCache } from '../../plugin/nx/nx-cache';
import { dependencyIds } from '../../plugin/nx/nx-internals';
import type { Engine } from './executor';
import { remoteSetup, runGuarded } from './executor';
import { captureOutput } from './capture';
import { pluginOptionsOf, stepRequest } from './request';

interface BatchTaskResult {
  readonly task: string;
  readonly result: { success: boolean; terminalOutput: string; startTime: number; endTime: number; status?: 'success' | 'failure' | 'skipped' };
}

/** A task's log: everything into its buffer; progress lines live too, with the step's name. */
function batchLog(prefix: string, capture: { write(text: string): void }, live: (line: string) => void): RunLog {
  const fmt = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : require('node:util').inspect(a, { depth: 4 }))).join(' ');
  return {
    note: (m) => {
      const line = `nx-steps ▸ ${prefix} ${m}`;
      capture.write(`${line}\n`);
      if (m.includes('▕')) live(line);
    },
    info: (...a) => capture.write(`${fmt(a)}\n`),
    warn: (...a) => capture.write(`${fmt(a)}\n`),
    error: (...a) => capture.write(`${fmt(a)}\n`),
  };
}

/** Task ids in an order where every task comes after the tasks it depends on. */
function topologicalOrder(graph: TaskGraph): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): void => {
    if (state.get(id) === 'done' || state.get(id) === 'visiting') return;
    state.set(id, 'visiting');
    for (const dep of dependencyIds(graph, id)) if (graph.tasks[dep]) visit(dep);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of Object.keys(graph.tasks).sort()) visit(id);
  return order;
}

/** The batch's services and remote-cache setup, once for all its steps. */
function batchServices(context: ExecutorContext): { remote: ReturnType<typeof remoteSetup>; services: ReturnType<typeof createServices> } {
  const options = pluginOptionsOf(context);
  const remote = remoteSetup(context.root, options, process.env);
  return {
    remote,
    services: createServices(context.root, { machineStateDir: machineStateDir(context.root), secretParams: options.secretParams, trust: remote.trust }),
  };
}

export default async function* batchSteps(
  taskGraph: TaskGraph,
  inputs: Record<string, Record<string, unknown>>,
  _overrides: Record<string, unknown>,
  context: ExecutorContext,
  engine: Engine = runStep,
): AsyncIterableIterator<BatchTaskResult> {
  const { remote, services } = batchServices(context);
  const failed = new Set<string>();
  try {
    for (const id of topologicalOrder(taskGraph)) {
      const task = taskGraph.tasks[id];
      if (!task) continue;
      const startTime = Date.now();
      const blockedBy = dependencyIds(taskGraph, id).filter((dep) => failed.has(dep));
      if (blockedBy.length > 0) {
        failed.add(id);
        yield {
          task: id,
          result: { success: false, status: 'skipped', terminalOutput: `nx-steps: not run: ${blockedBy.join(', ')} failed.\n`, startTime, endTime: Date.now() },
        };
        continue;
      }
      const request = stepRequest(context, task.target.project, task.target.target, inputs[id] ?? {}, process.env, { nxHash: task.hash });
      if (!request.ok) {
        failed.add(id);
        yield {
          task: id,
          result: { success: false, terminalOutput: `${formatWorkspaceDiagnostics(context.root, [request.error])}\n`, startTime, endTime: Date.now() },
        };
        continue;
      }
      const req = request.value;
      const capture = captureOutput();
      const log = batchLog(`${req.project}:${req.step}`, capture, capture.passThrough);
      let outcome: RunStepOutcome;
      try {
        outcome = await runGuarded(engine, req, {
          services,
          log,
          entries: lazyEntryCache(() =>
            openEntryCache(context.root, { project: req.project, target: req.step }, process.env, (m) => log.note(m), remote.bounds),
          ),
          skipLookups: process.env['NX_SKIP_NX_CACHE'] === 'true',
        });
      } finally {
        capture.stop();
      }
      let text = capture.text();
      if (!outcome.ok) {
        failed.add(id);
        text += `\n${formatWorkspaceDiagnostics(context.root, outcome.diagnostics)}\n`;
      }
      yield { task: id, result: { success: outcome.ok, terminalOutput: text, startTime, endTime: Date.now() } };
    }
  } finally {
    services.flush();
  }
}
