/**
 * Phases 4 and 5 of a run: call the step function in a private work folder
 * (staging.ts says why not in its output folder), and store its result there:
 * the value, the files it wrote and step.json with the key it was made with.
 * Nothing here touches the step's output folder; a failure leaves it as it was.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StepContext } from '../../api/step';
import { isStep } from '../../shared/step-brand';
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import { absoluteArgPath } from '../fingerprint/evaluate';
import type { FingerprintRecord } from '../fingerprint/fingerprint';
import { FILES_DIR } from '../outputs/layout';
import { failureDiagnostic, writeResult } from '../outputs/result';
import type { StepMeta } from '../outputs/store';
import { metricSink } from '../records/metrics';
import type { Result } from '../util/result';
import { defineOwn } from '../util/own';
import { fail, ok } from '../util/result';
import { nxStepsVersion } from '../version';
import type { StepInputs } from './inputs';
import { itemInput } from './item-input';
import type { RunLog } from './log';
import { namedExport } from './load-module';
import { progressBar } from './progress-bar';
import type { RunStepRequest } from './request';
import { problem } from './request';

export interface Execution {
  readonly inputs: StepInputs;
  readonly fingerprint: { readonly digest: string; readonly record: FingerprintRecord };
  /** The loaded pipeline module. */
  readonly mod: Record<string, unknown>;
  /** An empty work folder: the result is stored in it. */
  readonly dir: string;
  readonly log: RunLog;
  readonly now: () => number;
}

export type ExecuteFailure =
  | { readonly kind: 'failed'; readonly diagnostics: readonly Diagnostic[] }
  /** An upstream value decoded to something unusable: recompute that step. */
  | { readonly kind: 'corrupt-upstream'; readonly step: string; readonly detail: string; readonly diagnostics: readonly Diagnostic[] };

export interface Executed {
  readonly meta: StepMeta;
  readonly durationMs: number;
  /** What the step reported through ctx.metric (kept on this machine: records/metrics.ts). */
  readonly metrics: Readonly<Record<string, number>>;
}

function failed(d: Diagnostic): Result<never, ExecuteFailure> {
  return fail({ kind: 'failed', diagnostics: [d] });
}

/** The object the step function receives: every arg, upstream result and param by name. */
function stepInput(req: RunStepRequest, x: Execution): Result<Record<string, unknown>, ExecuteFailure> {
  const { step, upstream, params } = x.inputs;
  // Keys set as own keys (util/own.ts): a name users chose is a key, even `constructor`.
  const input: Record<string, unknown> = {};
  for (const [name, arg] of Object.entries(step.args)) defineOwn(input, name, arg.kind === 'value' ? arg.value : absoluteArgPath(req.workspaceRoot, arg));
  // A fan-out item (a factory's arguments are in its function's closure instead).
  const item = itemInput(req.workspaceRoot, step);
  if (item) defineOwn(input, item[0], item[1]);
  for (const [name, u] of Object.entries(upstream)) {
    const v = u.value();
    if (v.ok) {
      defineOwn(input, name, v.value);
      continue;
    }
    if (v.error.reason !== 'corrupt') return failed(failureDiagnostic(v.error, { project: req.project, step: req.step, argument: name }));
    const d = problem(req, DiagnosticCodes.corruptOutput, `The stored result of ${v.error.step} is corrupt: ${v.error.message}`, 'It will be recomputed.');
    return fail({ kind: 'corrupt-upstream', step: v.error.step, detail: v.error.message, diagnostics: [d] });
  }
  for (const [name, value] of Object.entries(params)) defineOwn(input, name, value);
  return ok(input);
}

export async function execute(req: RunStepRequest, x: Execution): Promise<Result<Executed, ExecuteFailure>> {
  const { step } = x.inputs;
  const exported = namedExport(x.mod, step.exportName);
  if (!isStep(exported)) {
    return failed(
      problem(
        req,
        DiagnosticCodes.stepNotFound,
        `${step.file} does not export a step named \`${step.exportName}\` when it runs (found ${typeof exported}).`,
        'The static declaration and the module disagree; check for code that reassigns the export.',
        {
          location: { file: step.file, ...step.declaration.loc },
        },
      ),
    );
  }
  const input = stepInput(req, x);
  if (!input.ok) return input;
  const filesDir = path.join(x.dir, FILES_DIR);
  fs.mkdirSync(filesDir, { recursive: true });
  const metrics: Record<string, number> = {};
  const ctx: StepContext = {
    project: req.project,
    step: step.name,
    outDir: filesDir,
    log: x.log,
    progress: progressBar((line) => x.log.note(line), x.now),
    metric: metricSink(metrics),
  };
  const started = x.now();
  let value: unknown;
  try {
    value = await (exported.fn as (input: unknown, ctx: StepContext) => unknown)(input.value, ctx);
  } catch (e) {
    const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
    return failed(
      problem(
        req,
        DiagnosticCodes.stepThrew,
        `The step function threw:\n\n${stack}`,
        'Nothing was cached. Fix the error and run again; upstream steps stay cached.',
      ),
    );
  }
  const durationMs = x.now() - started;
  // The work folder is private and new: a failure to store leaves the step's output folder as it was.
  const info = { project: req.project, step: step.name, fingerprint: x.fingerprint, durationMs, nxSteps: nxStepsVersion(), arrowFrom: req.workspaceRoot };
  const stored = await writeResult(x.dir, value, info);
  return stored.ok ? ok({ meta: stored.value, durationMs, metrics }) : failed(failureDiagnostic(stored.error, { project: req.project, step: req.step }));
}
