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
import { DiagnosticCodes } from '../diagnostics';
import { absoluteArgPath } from '../fingerprint/evaluate';
import type { FingerprintRecord } from '../fingerprint/fingerprint';
import { fingerprintDigest } from '../fingerprint/fingerprint';
import { runTime } from '../fingerprint/ttl';
import { saltSteps } from '../fingerprint/workspace-pass';
import { lockOutputDir } from '../outputs/step-lock';
import { outputDir } from '../outputs/layout';
import { abandonResult, beginResult, failureDiagnostic, writeResult } from '../outputs/result';
import type { StepMeta } from '../outputs/store';
import { readOutputs } from '../outputs/store';
import { ensureIgnoredDir } from '../util/disk-cache';
import { formatDuration } from '../util/duration';
import { nxStepsVersion } from '../version';
import type { Services } from '../workspace';
import { createServices, loadWorkspaceModel } from '../workspace';
import type { RunLog } from './log';
import { consoleLog } from './log';
import { moduleLoadFailed } from './load-failure';
import { importModule, namedExport } from './load-module';
import { withCustomKey } from './key';
import type { Prepared, PrepareResult } from './prepare';
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
  const ownServices = deps.services === undefined;
  const services = deps.services ?? createServices(req.workspaceRoot);
  const log = deps.log ?? consoleLog(`${req.project}:${req.step}`);
  try {
    return await runPrepared(req, { ...deps, services, log });
  } finally {
    if (ownServices) services.flush();
  }
}

type Deps = RunStepDeps & { readonly services: Services; readonly log: RunLog };

/**
 * Prepares a step; when an upstream result fails verification (a truncated
 * or tampered cache entry, restored by Nx without checking), recomputes that
 * upstream step here and salts its key, so the bad entry is never used again.
 */
async function prepareWithRecovery(req: RunStepRequest, deps: Deps, depth = 0): Promise<PrepareResult> {
  let prepared = prepareStep(deps.services, req);
  if (prepared.ok) {
    // Digests matched; the values must decode too (a stored path must not leave its folder).
    // Other failures (a type registered by the step's module, not loaded yet) are reported when the step runs.
    for (const [inputName, u] of Object.entries(prepared.value.upstream)) {
      const v = u.value();
      if (!v.ok && v.error.reason === 'corrupt') {
        const up = prepared.value.step.needs[inputName] ?? inputName;
        prepared = { ok: false, diagnostics: [problem(req, DiagnosticCodes.corruptOutput, `The stored result of ${up} is corrupt: ${v.error.message}`, 'It will be recomputed.')], corruptUpstream: { step: up, detail: v.error.message } };
        break;
      }
    }
  }
  if (prepared.ok || !prepared.corruptUpstream || depth > 0) return prepared;
  const { step: up, detail } = prepared.corruptUpstream;
  deps.log.note(`the stored result of upstream step ${req.project}:${up} failed verification (${detail}); recomputing it, and never using that cache entry again.`);
  if (!saltStep(deps.services, req, up)) deps.log.note(`could not salt ${req.project}:${up}'s key (it cannot be fingerprinted now); its bad cache entry may be restored again.`);
  const recovered = await runPrepared({ ...req, step: up, overrides: {} }, { ...deps, log: consoleLogLike(deps.log, `${req.project}:${up}`) });
  if (!recovered.ok) return { ok: false, diagnostics: [...recovered.diagnostics] };
  return prepareWithRecovery(req, deps, depth + 1);
}

/** Salts one step's key on this machine (see state/salts.ts); false when it cannot be fingerprinted now. */
function saltStep(services: Services, req: RunStepRequest, stepName: string): boolean {
  const project = loadWorkspaceModel(services, req.pipelineFiles).projects.find((p) => p.root === req.projectRoot);
  const step = project?.steps.find((s) => s.name === stepName);
  return project !== undefined && step !== undefined && saltSteps(services, { projects: [project] }, [step], runTime()).length === 0;
}

async function runPrepared(req: RunStepRequest, deps: Deps): Promise<RunStepOutcome> {
  const { services, log } = deps;
  const now = deps.now ?? (() => performance.now());
  const load = deps.importModule ?? importModule;
  let mod: Record<string, unknown> | undefined;
  const loadOnce = async (file: string, root: string) => (mod ??= await load(file, root));
  // The custom key is part of the fingerprint: evaluated before deciding anything.
  const prepared = await withCustomKey(await prepareWithRecovery(req, deps), req, process.env, loadOnce);
  if (!prepared.ok) return { ok: false, diagnostics: prepared.diagnostics };
  const { step, params, upstream, fingerprint } = prepared.value;
  const loadModule = async (): Promise<{ ok: true; mod: Record<string, unknown> } | { ok: false; diagnostics: Diagnostic[] }> => {
    try {
      return { ok: true, mod: await loadOnce(path.join(req.workspaceRoot, step.file), req.workspaceRoot) };
    } catch (e) {
      return { ok: false, diagnostics: [moduleLoadFailed(e, { ...req, relFile: step.file })] };
    }
  };
  const digest = fingerprintDigest(fingerprint);
  const outAbs = path.join(req.workspaceRoot, outputDir(req.projectRoot, step.name));
  const kept = (): RunStepOutcome | undefined => {
    if (!step.cache.enabled) return undefined;
    // The fingerprint is compared first: on a miss nothing else is read.
    const existing = readOutputs(outAbs, { digestOf: (f) => services.hasher.digest(f), fingerprint: digest });
    if (!existing.ok) return undefined;
    log.note(`outputs on disk already match this step's fingerprint (${digest.slice(0, 12)}); kept, not re-run.`);
    return { ok: true, status: 'kept', durationMs: 0, meta: existing.meta };
  };
  const early = kept();
  if (early) return early;

  ensureIgnoredDir(path.join(req.workspaceRoot, req.projectRoot, '.nx-steps'));
  fs.mkdirSync(path.dirname(outAbs), { recursive: true });
  const lock = await lockOutputDir(outAbs, (owner) => log.note(`waiting for another run of this step${owner ? ` (pid ${owner.pid})` : ''} to finish writing its outputs...`));
  try {
    // The other run may just have produced exactly this result.
    const afterWait = kept();
    if (afterWait) return afterWait;
    const loaded = await loadModule();
    if (!loaded.ok) return loaded;
    return await execute(req, deps, { step, params, upstream, fingerprint, digest, outAbs, mod: loaded.mod, now });
  } finally {
    lock.release();
  }
}

interface Execution {
  readonly step: Prepared['step'];
  readonly params: Prepared['params'];
  readonly upstream: Prepared['upstream'];
  readonly fingerprint: FingerprintRecord;
  readonly digest: string;
  readonly outAbs: string;
  readonly mod: Record<string, unknown>;
  readonly now: () => number;
}

/** Calls the step function and stores its result. The caller holds the output lock. */
async function execute(req: RunStepRequest, deps: Deps, x: Execution): Promise<RunStepOutcome> {
  const { log } = deps;
  const { step, outAbs } = x;
  const exported = namedExport(x.mod, step.exportName);
  if (!isStep(exported)) {
    return {
      ok: false,
      diagnostics: [problem(req, DiagnosticCodes.stepNotFound, `${step.file} does not export a step named \`${step.exportName}\` when it runs (found ${typeof exported}).`, 'The static declaration and the module disagree; check for code that reassigns the export.', { location: { file: step.file, ...step.declaration.loc } })],
    };
  }
  const input: Record<string, unknown> = {};
  for (const [name, arg] of Object.entries(step.args)) input[name] = arg.kind === 'value' ? arg.value : absoluteArgPath(req.workspaceRoot, arg);
  for (const [name, u] of Object.entries(x.upstream)) {
    const v = u.value();
    if (!v.ok) return { ok: false, diagnostics: [failureDiagnostic(v.error, { project: req.project, step: req.step, argument: name })] };
    input[name] = v.value;
  }
  Object.assign(input, x.params);

  const filesDir = beginResult(outAbs);
  const ctx: StepContext = {
    project: req.project,
    step: step.name,
    outDir: filesDir,
    log,
    progress: progressBar((line) => log.note(line), x.now),
  };
  const started = x.now();
  let value: unknown;
  try {
    value = await (exported.fn as (input: unknown, ctx: StepContext) => unknown)(input, ctx);
  } catch (e) {
    abandonResult(outAbs);
    const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
    return {
      ok: false,
      diagnostics: [problem(req, DiagnosticCodes.stepThrew, `The step function threw:\n\n${stack}`, 'Nothing was cached. Fix the error and run again; upstream steps stay cached.')],
    };
  }
  const durationMs = x.now() - started;

  const stored = await writeResult(outAbs, value, { project: req.project, step: step.name, fingerprint: { digest: x.digest, record: x.fingerprint }, durationMs, nxSteps: nxStepsVersion(), arrowFrom: req.workspaceRoot });
  if (!stored.ok) return { ok: false, diagnostics: [failureDiagnostic(stored.error, { project: req.project, step: req.step })] };
  const meta = stored.value;
  // Past tense on purpose: Nx replays this output when it restores the step from its cache.
  const strategy = step.cache.enabled ? step.cache.strategy : 'cache: false';
  log.note(`executed in ${formatDuration(durationMs)} (${strategy}) → result ${meta.result.value.bytes} B, ${meta.result.files.length} file(s), digest ${meta.result.digest.slice(0, 12)}`);
  return { ok: true, status: step.cache.enabled ? 'executed' : 'uncached', durationMs, meta };
}

/** A logger for a recovered upstream step: same sink, its own prefix. */
function consoleLogLike(base: RunLog, prefix: string): RunLog {
  return { ...base, note: (m) => base.note(`(${prefix}) ${m}`) };
}

