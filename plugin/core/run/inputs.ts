/**
 * Phase 1 of a run: the step as declared, and this run's inputs to it: params
 * with command-line overrides, and the verified result of every upstream step
 * (its digest now; its value decoded only if the step is called).
 *
 * Shared by the executor and by the tools that explain what the next run
 * would do (`nx-steps why`, `nx-steps fingerprint`), which must see exactly
 * the inputs the executor would.
 */
import * as path from 'node:path';
import type { Json } from '../../api/json';
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import type { ProjectModel, StepModel } from '../model/project-model';
import { outputDir } from '../outputs/layout';
import type { StorageFailure } from '../outputs/result';
import { readResult } from '../outputs/result';
import type { Result } from '../util/result';
import { defineOwn, own } from '../util/own';
import { fail, ok } from '../util/result';
import type { Services } from '../workspace';
import { loadWorkspaceModel } from '../workspace';
import { canonicalDigest } from '../hash/canonical';
import type { FanOutModel } from '../model/project-model';
import { applyOverrides } from './params';
import type { RunStepRequest } from './request';
import { problem } from './request';
import { overrideScope } from './run-scope';

export interface UpstreamResult {
  /** The upstream step's name (a fan-out step's, for every item's result keyed by item). */
  readonly step: string;
  readonly digest: string;
  /** Decodes the stored value (once); a failure says why it cannot be used, and of which step (a fan-out's item names itself). */
  readonly value: () => Result<unknown, UpstreamFailure>;
}

/** A stored result that cannot be used, and whose it is: the step to recompute. */
export type UpstreamFailure = StorageFailure & { readonly step: string };

export interface StepInputs {
  readonly project: ProjectModel;
  readonly step: StepModel;
  readonly params: Readonly<Record<string, Json>>;
  /** By input name. */
  readonly upstream: Readonly<Record<string, UpstreamResult>>;
}

export type InputsFailure =
  | { readonly kind: 'invalid'; readonly diagnostics: readonly Diagnostic[] }
  /** An upstream result exists but fails verification: it can be recomputed. */
  | { readonly kind: 'corrupt-upstream'; readonly step: string; readonly detail: string; readonly diagnostics: readonly Diagnostic[] };

/** Finds the step in the project's pipeline files. */
export function findStep(services: Services, req: RunStepRequest): Result<{ project: ProjectModel; step: StepModel }, Diagnostic> {
  const model = loadWorkspaceModel(services, req.pipelineFiles);
  const project = model.projects.find((p) => p.root === req.projectRoot);
  const step = project?.steps.find((s) => s.name === req.step);
  if (!project || !step) {
    return fail(
      problem(
        req,
        DiagnosticCodes.stepNotFound,
        `No step named \`${req.step}\` in the pipeline files of ${req.project} (${req.pipelineFiles.join(', ')}).`,
        'The project graph may be out of date: run the command again, or `nx reset` if it persists.',
      ),
    );
  }
  return ok({ project, step });
}

export function readStepInputs(services: Services, req: RunStepRequest): Result<StepInputs, InputsFailure> {
  const found = findStep(services, req);
  if (!found.ok) return fail({ kind: 'invalid', diagnostics: [found.error] });
  const { project, step } = found.value;
  if (step.errors.length > 0) return fail({ kind: 'invalid', diagnostics: step.errors });

  const secrets = { all: step.secrets, required: step.declaration.secrets ?? [] };
  const params = applyOverrides(step.params, req.overrides, () => overrideScope(project, step.name, req.runSteps), secrets);
  if (!params.ok) {
    const loc = own(step.declaration.paramLocs, params.error.param);
    const d = problem(req, DiagnosticCodes.badParamOverride, params.error.message, params.error.hint, {
      argument: params.error.param,
      ...(loc ? { location: { file: step.file, ...loc } } : {}),
    });
    return fail({ kind: 'invalid', diagnostics: [d] });
  }

  const upstream: Record<string, UpstreamResult> = {};
  for (const [inputName, upStep] of Object.entries(step.needs)) {
    const fanOut = own(project.fanOuts, upStep);
    const read = fanOut ? readFanOut(services, req, project, inputName, fanOut) : readUpstream(services, req, project, inputName, upStep);
    if (!read.ok) return read;
    upstream[inputName] = read.value;
  }
  return ok({ project, step, params: params.value, upstream });
}

function readUpstream(
  services: Services,
  req: RunStepRequest,
  project: ProjectModel,
  inputName: string,
  upStep: string,
): Result<UpstreamResult, InputsFailure> {
  const dir = path.join(services.workspaceRoot, outputDir(project.root, upStep));
  const read = readResult(dir, { digestOf: (f) => services.hasher.digest(f), arrowFrom: services.workspaceRoot, trust: services.trust });
  if (!read.ok) {
    const d = problem(
      req,
      DiagnosticCodes.missingUpstream,
      `The result of upstream step ${upStep} (needed as \`${inputName}\`) is ${read.problem === 'missing' ? 'missing' : `unusable: ${read.detail}`}.`,
      `Run it with its dependencies: nx run ${req.project}:${req.step} (without --exclude-task-dependencies), or nx run ${req.project}:${upStep}.`,
      { argument: inputName },
    );
    return fail(
      read.problem === 'missing' && !ranInThisCommand(req, upStep)
        ? { kind: 'invalid', diagnostics: [d] }
        : {
            kind: 'corrupt-upstream',
            step: upStep,
            detail: read.problem === 'missing' ? `missing, though Nx counted its task done` : read.detail,
            diagnostics: [d],
          },
    );
  }
  const value = read.value;
  return ok({ step: upStep, digest: read.meta.result.digest, value: () => named(value(), upStep) });
}

/**
 * Whether Nx counted the upstream step done in this command (it is in Nx's
 * task graph, which the executor passes as `runSteps`, and this step runs
 * only after it succeeded): its result missing then means Nx restored a
 * cache entry without it (an entry holding only the terminal output and exit
 * code, or a restore that failed), which is recovered like a damaged result.
 * A step run without its upstream task (`--exclude-task-dependencies`) is
 * the caller's to fix.
 */
function ranInThisCommand(req: RunStepRequest, upStep: string): boolean {
  return req.runSteps?.includes(upStep) === true;
}

/**
 * Every item's result of a fan-out step, keyed by item. Its digest is that of
 * the items' keys and result digests in declaration order, so adding,
 * removing, reordering or changing an item changes it, and nothing else does.
 */
function readFanOut(
  services: Services,
  req: RunStepRequest,
  project: ProjectModel,
  inputName: string,
  fanOut: FanOutModel,
): Result<UpstreamResult, InputsFailure> {
  const items: Array<{ key: string; result: UpstreamResult }> = [];
  for (const item of fanOut.items) {
    const read = readUpstream(services, req, project, inputName, item.target);
    if (!read.ok) return read;
    items.push({ key: item.key, result: read.value });
  }
  return ok({
    step: fanOut.name,
    digest: canonicalDigest({ fanOut: items.map((i) => [i.key, i.result.digest]) }),
    value: () => {
      const values: Record<string, unknown> = {};
      for (const i of items) {
        const v = i.result.value();
        if (!v.ok) return v;
        // An item's key is a value users chose ('__proto__' included): always an own key.
        defineOwn(values, i.key, v.value);
      }
      return ok(values);
    },
  });
}

function named(read: Result<unknown, StorageFailure>, step: string): Result<unknown, UpstreamFailure> {
  return read.ok ? read : fail({ ...read.error, step });
}
