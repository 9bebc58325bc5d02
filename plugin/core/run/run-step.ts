/**
 * Runs one step: the engine behind the `nx-steps:step` executor. No Nx
 * imports; the executor passes what Nx knows (workspace root, project, step,
 * the project's pipeline files, command-line options).
 *
 * Nx only calls this on a cache miss. A miss can happen while this step's
 * result is already on disk: Nx hashes every target of a project into every
 * task hash, so adding a sibling step changes this step's hash too. The
 * engine therefore computes the step's own fingerprint and, when the output
 * folder holds a verified result with that fingerprint, keeps it instead of
 * calling the step again (Nx then stores it under the new hash).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StepContext } from '../../api/step';
import { isStep } from '../../api/step';
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes, formatDiagnostics } from '../diagnostics';
import { absoluteArgPath } from '../fingerprint/evaluate';
import { fingerprintDigest } from '../fingerprint/fingerprint';
import { encodeValue, UnstorableValue } from '../outputs/codec';
import { outputDir } from '../outputs/layout';
import type { StepMeta } from '../outputs/store';
import { finishOutputs, prepareOutputDir, readOutputs, UnstorableOutput } from '../outputs/store';
import { ensureIgnoredDir } from '../util/disk-cache';
import { formatDuration } from '../util/duration';
import { nxStepsVersion } from '../version';
import type { Services } from '../workspace';
import { createServices } from '../workspace';
import type { RunLog } from './log';
import { consoleLog } from './log';
import { importModule, namedExport } from './load-module';
import { evaluateKey } from './key';
import { prepareStep, problem } from './prepare';
import { progressBar } from './progress-bar';

export type { RunStepRequest } from './prepare';
import type { RunStepRequest } from './prepare';

export type RunStepOutcome =
  | { readonly ok: true; readonly status: 'executed' | 'kept' | 'uncached'; readonly durationMs: number; readonly meta: StepMeta | undefined }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export interface RunStepDeps {
  readonly services?: Services;
  readonly log?: RunLog;
  readonly importModule?: (absFile: string, workspaceRoot: string) => Promise<Record<string, unknown>>;
  readonly now?: () => number;
}

export async function runStep(req: RunStepRequest, deps: RunStepDeps = {}): Promise<RunStepOutcome> {
  const services = deps.services ?? createServices(req.workspaceRoot);
  const log = deps.log ?? consoleLog(`${req.project}:${req.step}`);
  const now = deps.now ?? (() => performance.now());
  const load = deps.importModule ?? importModule;
  try {
    const prepared = prepareStep(services, req);
    if (!prepared.ok) return { ok: false, diagnostics: prepared.diagnostics };
    const { step, params, upstream } = prepared.value;
    let fingerprint = prepared.value.fingerprint;

    let mod: Record<string, unknown> | undefined;
    const loadModule = async (): Promise<{ ok: true; mod: Record<string, unknown> } | { ok: false; diagnostics: Diagnostic[] }> => {
      try {
        mod ??= await load(path.join(req.workspaceRoot, step.file), req.workspaceRoot);
        return { ok: true, mod };
      } catch (e) {
        const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
        return {
          ok: false,
          diagnostics: [problem(req, DiagnosticCodes.moduleLoadFailed, `Loading ${step.file} failed:\n\n${stack}`, 'The pipeline module (or something it imports) threw while loading, or an import did not resolve. Nothing was cached.', { location: { file: step.file, line: 1, column: 1 } })],
        };
      }
    };

    if (step.cache.enabled && step.cache.key) {
      // The custom key is part of the fingerprint: evaluate it before deciding anything.
      const loaded = await loadModule();
      if (!loaded.ok) return loaded;
      const key = await evaluateKey(loaded.mod, req.workspaceRoot, req.project, step, process.env);
      if (!key.ok) return { ok: false, diagnostics: [key.error] };
      fingerprint = { ...fingerprint, key: key.value };
    }
    const digest = fingerprintDigest(fingerprint);
    const outRel = outputDir(req.projectRoot, step.name);
    const outAbs = path.join(req.workspaceRoot, outRel);

    if (step.cache.enabled) {
      const existing = readOutputs(outAbs);
      if (existing.ok && existing.meta.fingerprint.digest === digest) {
        log.note(`outputs on disk already match this step's fingerprint (${digest.slice(0, 12)}); kept, not re-run.`);
        return { ok: true, status: 'kept', durationMs: 0, meta: existing.meta };
      }
    }

    ensureIgnoredDir(path.join(req.workspaceRoot, req.projectRoot, '.nx-steps'));
    const filesDir = prepareOutputDir(outAbs);
    const loaded = await loadModule();
    if (!loaded.ok) return loaded;
    const exported = namedExport(loaded.mod, step.exportName);
    if (!isStep(exported)) {
      return {
        ok: false,
        diagnostics: [problem(req, DiagnosticCodes.stepNotFound, `${step.file} does not export a step named \`${step.exportName}\` when it runs (found ${typeof exported}).`, 'The static declaration and the module disagree; check for code that reassigns the export.', { location: { file: step.file, ...step.declaration.loc } })],
      };
    }

    const input: Record<string, unknown> = {};
    for (const [name, arg] of Object.entries(step.args)) input[name] = arg.kind === 'value' ? arg.value : absoluteArgPath(req.workspaceRoot, arg);
    for (const [name, u] of Object.entries(upstream)) input[name] = u.value();
    Object.assign(input, params);

    const ctx: StepContext = {
      project: req.project,
      step: step.name,
      outDir: filesDir,
      log,
      progress: progressBar((line) => log.note(line), now),
    };
    const started = now();
    let value: unknown;
    try {
      value = await (exported.fn as (input: unknown, ctx: StepContext) => unknown)(input, ctx);
    } catch (e) {
      const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
      return {
        ok: false,
        diagnostics: [problem(req, DiagnosticCodes.stepThrew, `The step function threw:\n\n${stack}`, 'Nothing was cached. Fix the error and run again; upstream steps stay cached.')],
      };
    }
    const durationMs = now() - started;

    let valueText: string;
    try {
      valueText = encodeValue(value, { outDir: filesDir });
    } catch (e) {
      fs.rmSync(outAbs, { recursive: true, force: true });
      if (e instanceof UnstorableValue) {
        return {
          ok: false,
          diagnostics: [problem(req, DiagnosticCodes.unstorableResult, `The step's result cannot be cached: ${e.message}.`, 'Return plain data (objects, arrays, strings, numbers, Map, Set, Date, typed arrays); write anything else to ctx.outDir. Nothing was cached.', { argument: e.path })],
        };
      }
      throw e;
    }
    let meta: StepMeta;
    try {
      meta = finishOutputs(outAbs, { project: req.project, step: step.name, fingerprint: { digest, record: fingerprint }, valueText, durationMs, nxSteps: nxStepsVersion() });
    } catch (e) {
      fs.rmSync(outAbs, { recursive: true, force: true });
      if (e instanceof UnstorableOutput) {
        return { ok: false, diagnostics: [problem(req, DiagnosticCodes.unstorableResult, e.message, 'Nothing was cached.')] };
      }
      throw e;
    }
    // Past tense on purpose: Nx replays this output when it restores the step from its cache.
    const strategy = step.cache.enabled ? step.cache.strategy : 'cache: false';
    log.note(`executed in ${formatDuration(durationMs)} (${strategy}) → result ${meta.result.value.bytes} B, ${meta.result.files.length} file(s), digest ${meta.result.digest.slice(0, 12)}`);
    return { ok: true, status: step.cache.enabled ? 'executed' : 'uncached', durationMs, meta };
  } finally {
    services.flush();
  }
}

/** Renders a failed outcome's diagnostics with code frames. */
export function renderFailure(workspaceRoot: string, diagnostics: readonly Diagnostic[]): string {
  return formatDiagnostics(diagnostics, (file) => {
    try {
      return fs.readFileSync(path.join(workspaceRoot, file), 'utf8');
    } catch {
      return undefined;
    }
  });
}
