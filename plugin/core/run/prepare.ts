/**
 * Everything a step run needs before calling the step: the validated step,
 * its params (with overrides), its upstream results and its full
 * fingerprint. Shared by the executor and by tools that explain what the
 * next run would do (`nx-steps why`), which must compute the same
 * fingerprint without running anything.
 */
import * as path from 'node:path';
import type { Json } from '../../api/json';
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import { evaluateArgs, evaluateCode } from '../fingerprint/evaluate';
import type { FingerprintRecord } from '../fingerprint/fingerprint';
import { stepKey } from '../fingerprint/env-name';
import { FINGERPRINT_SCHEMA, valueDigest } from '../fingerprint/fingerprint';
import { runTime, ttlWindow } from '../fingerprint/ttl';
import { readSalts } from '../state/salts';
import type { ProjectModel, StepModel } from '../model/project-model';
import { outputDir } from '../outputs/layout';
import type { StorageFailure } from '../outputs/result';
import { readResult } from '../outputs/result';
import type { Result } from '../util/result';
import { nxStepsVersion } from '../version';
import type { Services } from '../workspace';
import { loadWorkspaceModel } from '../workspace';
import { applyOverrides } from './params';

export interface RunStepRequest {
  readonly workspaceRoot: string;
  /** Nx project name (for messages). */
  readonly project: string;
  readonly projectRoot: string;
  readonly step: string;
  /** Every pipeline file of the project, workspace-relative. */
  readonly pipelineFiles: readonly string[];
  /** Executor options: command-line param overrides. */
  readonly overrides: Readonly<Record<string, unknown>>;
}

export interface Prepared {
  readonly project: ProjectModel;
  readonly step: StepModel;
  readonly params: Record<string, Json>;
  /** Upstream results by input name: digest now, value decoded on demand. */
  readonly upstream: Record<string, { readonly digest: string; readonly value: () => Result<unknown, StorageFailure> }>;
  readonly fingerprint: FingerprintRecord;
}

export function problem(req: RunStepRequest, code: Diagnostic['code'], message: string, hint: string, extra: Partial<Diagnostic> = {}): Diagnostic {
  return { code, severity: 'error', message, hint, project: req.project, step: req.step, ...extra };
}

function ttlPart(step: StepModel, now: number): { ttl?: NonNullable<FingerprintRecord['ttl']> } {
  const ttl = step.cache.enabled ? step.cache.ttl : undefined;
  return ttl ? { ttl: { text: ttl.text, window: ttlWindow(stepKey(step.projectRoot, step.name), ttl.ms, now).window } } : {};
}

function saltPart(services: Services, step: StepModel): { salt?: string } {
  const salt = readSalts(services.workspaceRoot)[stepKey(step.projectRoot, step.name)]?.salt;
  return salt !== undefined ? { salt } : {};
}

export type PrepareResult =
  | { readonly ok: true; readonly value: Prepared }
  | {
      readonly ok: false;
      readonly diagnostics: Diagnostic[];
      /** Set when an upstream result exists but fails verification: it can be recomputed. */
      readonly corruptUpstream?: { readonly step: string; readonly detail: string };
    };

export function prepareStep(services: Services, req: RunStepRequest, now: number = runTime()): PrepareResult {
  const model = loadWorkspaceModel(services, req.pipelineFiles);
  const project = model.projects.find((p) => p.root === req.projectRoot);
  const step = project?.steps.find((s) => s.name === req.step);
  if (!project || !step) {
    return {
      ok: false,
      diagnostics: [problem(req, DiagnosticCodes.stepNotFound, `No step named \`${req.step}\` in the pipeline files of ${req.project} (${req.pipelineFiles.join(', ')}).`, 'The project graph may be out of date: run the command again, or `nx reset` if it persists.')],
    };
  }
  if (step.errors.length > 0) return { ok: false, diagnostics: [...step.errors] };

  const params = applyOverrides(step.params, req.overrides);
  if (!params.ok) {
    const loc = step.declaration.paramLocs[params.error.param];
    return {
      ok: false,
      diagnostics: [problem(req, DiagnosticCodes.badParamOverride, params.error.message, params.error.hint, { argument: params.error.param, ...(loc ? { location: { file: step.file, ...loc } } : {}) })],
    };
  }

  const upstream: Record<string, Prepared['upstream'][string]> = {};
  for (const [inputName, upStep] of Object.entries(step.needs)) {
    const dir = path.join(services.workspaceRoot, outputDir(project.root, upStep));
    const read = readResult(dir, { digestOf: (f) => services.hasher.digest(f), arrowFrom: services.workspaceRoot });
    if (!read.ok) {
      return {
        ok: false,
        ...(read.problem !== 'missing' ? { corruptUpstream: { step: upStep, detail: read.detail } } : {}),
        diagnostics: [
          problem(
            req,
            DiagnosticCodes.missingUpstream,
            `The result of upstream step ${upStep} (needed as \`${inputName}\`) is ${read.problem === 'missing' ? 'missing' : `unusable: ${read.detail}`}.`,
            `Run it with its dependencies: nx run ${req.project}:${req.step} (without --exclude-task-dependencies), or nx run ${req.project}:${upStep}.`,
            { argument: inputName },
          ),
        ],
      };
    }
    upstream[inputName] = { digest: read.meta.result.digest, value: read.value };
  }

  const args = evaluateArgs(services, step, project.displayName);
  if (!args.ok) return { ok: false, diagnostics: [args.error] };
  const cache = step.cache;
  const strategy = cache.enabled ? cache.strategy : 'code_hash';
  const code = strategy === 'code_hash' ? evaluateCode(services, project).get(step.name) : undefined;
  const fingerprint: FingerprintRecord = {
    schema: FINGERPRINT_SCHEMA,
    nxSteps: nxStepsVersion(),
    strategy,
    ...(code ? { code } : {}),
    args: args.value,
    params: Object.fromEntries(Object.entries(params.value).map(([k, v]) => [k, { digest: valueDigest(v), value: v }])),
    needs: Object.fromEntries(Object.entries(upstream).map(([k, u]) => [k, { step: step.needs[k] ?? k, digest: u.digest }])),
    ...(step.version !== undefined ? { version: step.version } : {}),
    ...ttlPart(step, now),
    ...saltPart(services, step),
  };
  return { ok: true, value: { project, step, params: params.value, upstream, fingerprint } };
}

