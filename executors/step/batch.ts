/**
 * The batch implementation of `nx-steps:step`, used with `nx run ... --batch`
 * (or NX_BATCH_MODE=true): every uncached step of the run executes in one
 * process, in dependency order, so there is no process start per step and
 * each pipeline module is loaded once.
 *
 * Trade-off, from how Nx 24 schedules batches: a step that reads an upstream
 * result is hashed only after that upstream ran, and inside a batch Nx runs
 * such steps behind a miss without looking them up in its cache. The engine
 * still recognises outputs on disk with the same fingerprint (the step is
 * kept, not re-run), but on a fresh machine a remote cache entry for it is not
 * used. Batch mode suits many small steps; without it, every step is looked up.
 *
 * Steps in one process share module state (a module-level variable one step
 * changes is seen by the next); without --batch each step has its own process.
 */
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import type { RunLog } from '../../plugin/core/run/log';
import type { RunStepOutcome, RunStepRequest } from '../../plugin/core/run/run-step';
import { formatWorkspaceDiagnostics } from '../../plugin/core/diagnostics';
import { runStep } from '../../plugin/core/run/run-step';
import { createServices } from '../../plugin/core/workspace';
import type { Services } from '../../plugin/core/workspace';
import { stepRequest } from './request';

type Engine = (req: RunStepRequest, deps: { services: Services; log: RunLog }) => Promise<RunStepOutcome>;

interface BatchTaskResult {
  readonly task: string;
  readonly result: { success: boolean; terminalOutput: string; startTime: number; endTime: number; status?: 'success' | 'failure' | 'skipped' };
}

/** Collects a task's output for Nx (which shows it per task and caches it). */
function bufferLog(prefix: string): { log: RunLog; text: () => string } {
  const lines: string[] = [];
  const fmt = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : require('node:util').inspect(a, { depth: 4 }))).join(' ');
  return {
    log: {
      note: (m) => lines.push(`nx-steps ▸ ${prefix} ${m}`),
      info: (...a) => lines.push(fmt(a)),
      warn: (...a) => lines.push(fmt(a)),
      error: (...a) => lines.push(fmt(a)),
    },
    text: () => (lines.length ? `${lines.join('\n')}\n` : ''),
  };
}

/** Task ids in an order where every task comes after the tasks it depends on. */
function topologicalOrder(graph: TaskGraph): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): void => {
    if (state.get(id) === 'done' || state.get(id) === 'visiting') return;
    state.set(id, 'visiting');
    for (const dep of graph.dependencies[id] ?? []) if (graph.tasks[dep.id]) visit(dep.id);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of Object.keys(graph.tasks).sort()) visit(id);
  return order;
}

export default async function* batchSteps(
  taskGraph: TaskGraph,
  inputs: Record<string, Record<string, unknown>>,
  _overrides: Record<string, unknown>,
  context: ExecutorContext,
  engine: Engine = runStep,
): AsyncIterableIterator<BatchTaskResult> {
  const services = createServices(context.root);
  const failed = new Set<string>();
  try {
    for (const id of topologicalOrder(taskGraph)) {
      const task = taskGraph.tasks[id];
      if (!task) continue;
      const startTime = Date.now();
      const blockedBy = (taskGraph.dependencies[id] ?? []).map((dep) => dep.id).filter((dep) => failed.has(dep));
      if (blockedBy.length > 0) {
        failed.add(id);
        yield { task: id, result: { success: false, status: 'skipped', terminalOutput: `nx-steps: not run: ${blockedBy.join(', ')} failed.\n`, startTime, endTime: Date.now() } };
        continue;
      }
      const req = stepRequest(context, task.target.project, task.target.target, inputs[id] ?? {});
      if (typeof req === 'string') {
        failed.add(id);
        yield { task: id, result: { success: false, terminalOutput: `${req}\n`, startTime, endTime: Date.now() } };
        continue;
      }
      const out = bufferLog(`${req.project}:${req.step}`);
      let outcome: RunStepOutcome;
      try {
        outcome = await engine(req, { services, log: out.log });
      } catch (e) {
        outcome = { ok: false, diagnostics: [{ code: 'NXS204', severity: 'error', message: `nx-steps internal error: ${(e as Error).stack ?? String(e)}`, hint: 'Please report it.', project: req.project, step: req.step }] };
      }
      let text = out.text();
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
