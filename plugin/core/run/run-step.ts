/**
 * Runs one step: the engine behind the `nx-steps:step` executor. No Nx
 * imports; the executor passes what Nx knows (workspace root, project, step,
 * the project's pipeline files, command-line options) and Nx's cache behind
 * the `EntryCache` interface.
 *
 * Nx only calls this on a miss of its own cache, and a miss is often not a
 * change of this step: Nx's task hash covers every target of the project, so
 * a sibling step added or another target changed makes every step miss. The
 * run therefore reads as straight phases:
 *
 *   1. inputs   the step, its params, its upstream results (inputs.ts)
 *   2. key      its own key from its code, data and inputs (key.ts)
 *   3. look up  outputs on disk made with that key ("kept"), then the
 *               step-keyed entry in Nx's local and remote cache (step-entries.ts)
 *   4. execute  only when both miss, in a private work folder (execute.ts)
 *   5. store    the result beside the key it was made with; checked against the
 *               key once more (an edit during the run fails the step), stored
 *               under the step's own key, installed into the output folder
 *   6. record   a task stamp (task-stamp.ts) for reports and the entry check
 *
 * A damaged upstream result (a truncated or altered cache entry) is
 * recomputed once, in this process, and its key salted on this machine so the
 * bad entry is never used again (`runWithRecovery`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics';
import { KeyBuilder, liveDigest } from '../fingerprint/step-key';
import { runTime } from '../fingerprint/ttl';
import { saltStep } from '../fingerprint/workspace-pass';
import { outputDir } from '../outputs/layout';
import type { StepMeta } from '../outputs/store';
import { readOutputs } from '../outputs/store';
import { writeMetrics } from '../records/metrics';
import { writeParamValues } from '../records/param-values';
import { lockOutputDir } from '../outputs/step-lock';
import { ensureIgnoredDir } from '../util/disk-cache';
import { formatDuration } from '../util/duration';
import type { Services } from '../workspace';
import { createServices } from '../workspace';
import type { InputsFailure, StepInputs } from './inputs';
import { findStep, readStepInputs } from './inputs';
import type { ExecuteFailure } from './execute';
import { execute } from './execute';
import type { RunKey } from './key';
import { buildRunKey, changedSinceHashed } from './key';
import type { RunLog } from './log';
import { consoleLog } from './log';
import { moduleLoadFailed } from './load-failure';
import { importModule } from './load-module';
import type { RunStepRequest } from './request';
import { install, newWorkDir, sweepWorkDirs } from './staging';
import type { EntryCache, EntrySource } from './step-entries';
import { restoreEntry, storeEntry } from './step-entries';
import type { StampSource } from '../outputs/task-stamp';
import { writeTaskStamp } from '../outputs/task-stamp';

export type { RunStepRequest } from './request';

export type RunStepOutcome =
  | {
      readonly ok: true;
      readonly status: 'executed' | 'kept' | 'restored' | 'uncached';
      /** For `restored`: which cache the step-keyed entry came from. */
      readonly from?: EntrySource;
      readonly durationMs: number;
      readonly meta: StepMeta | undefined;
    }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

export interface RunStepDeps {
  readonly services?: Services;
  readonly log?: RunLog;
  readonly importModule?: (absFile: string, workspaceRoot: string) => Promise<Record<string, unknown>>;
  /** Monotonic ms, for durations. */
  readonly now?: () => number;
  /** The run's clock reading, for TTL windows (default: the pre-task hook's, else the clock). */
  readonly runTime?: number;
  /** The environment a custom key reads (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** Nx's cache, for step-keyed entries; without it only outputs on disk are looked up. */
  readonly entries?: EntryCache;
  /** `--skip-nx-cache`: look nothing up (the step runs); its result is still stored. */
  readonly skipLookups?: boolean;
}

type Deps = Required<Pick<RunStepDeps, 'services' | 'log' | 'now' | 'runTime' | 'env'>> &
  RunStepDeps & { readonly load: (absFile: string) => Promise<Record<string, unknown>> };

/** A run that stopped on a damaged upstream result, which can be recomputed. */
interface CorruptUpstream {
  readonly corrupt: { readonly step: string; readonly detail: string; readonly diagnostics: readonly Diagnostic[] };
}

type Attempt = RunStepOutcome | CorruptUpstream;

export async function runStep(req: RunStepRequest, deps: RunStepDeps = {}): Promise<RunStepOutcome> {
  const ownServices = deps.services === undefined;
  const services = deps.services ?? createServices(req.workspaceRoot);
  const load = deps.importModule ?? importModule;
  const modules = new Map<string, Promise<Record<string, unknown>>>();
  const d: Deps = {
    ...deps,
    services,
    log: deps.log ?? consoleLog(`${req.project}:${req.step}`),
    now: deps.now ?? (() => performance.now()),
    runTime: deps.runTime ?? runTime(),
    env: deps.env ?? process.env,
    // One load per module per run: the custom key and the step share it.
    load: (absFile) => {
      let m = modules.get(absFile);
      if (!m) {
        m = load(absFile, req.workspaceRoot);
        modules.set(absFile, m);
      }
      return m;
    },
  };
  sweepWorkDirs(req.workspaceRoot);
  try {
    return await runWithRecovery(req, d);
  } finally {
    if (ownServices) services.flush();
  }
}

/**
 * Runs the step; when an upstream result fails verification (a truncated or
 * tampered cache entry, restored by Nx without checking), salts that step's
 * key, recomputes it here and runs the step once more.
 */
async function runWithRecovery(req: RunStepRequest, d: Deps): Promise<RunStepOutcome> {
  const first = await runOnce(req, d);
  if (!('corrupt' in first)) return first;
  const { step: up, detail } = first.corrupt;
  d.log.note(`the stored result of upstream step ${req.project}:${up} is unusable (${detail}); recomputing it, and never using that cache entry again.`);
  // The same overrides: Nx forwarded them to the upstream task too (plugin/nx/targets.ts).
  const upReq: RunStepRequest = { ...req, step: up, hashedAs: undefined, nxHash: undefined };
  const found = readStepInputs(d.services, upReq);
  if (found.ok) {
    const salted = saltStep(d.services, found.value.project, found.value.step, 'recovery', d.runTime);
    if (!salted.ok) d.log.note(`could not salt ${req.project}:${up}'s key (${salted.error}); its bad cache entry may be restored again.`);
  }
  const recovered = await runOnce(upReq, { ...d, log: prefixedLog(d.log, `${req.project}:${up}`), skipLookups: true });
  if ('corrupt' in recovered) return { ok: false, diagnostics: [...first.corrupt.diagnostics, ...recovered.corrupt.diagnostics] };
  if (!recovered.ok) return recovered;
  const second = await runOnce(req, d);
  return 'corrupt' in second ? { ok: false, diagnostics: second.corrupt.diagnostics } : second;
}

function fromInputsFailure(f: InputsFailure | ExecuteFailure): Attempt {
  return f.kind === 'corrupt-upstream' ? { corrupt: f } : { ok: false, diagnostics: f.diagnostics };
}

async function runOnce(req: RunStepRequest, d: Deps): Promise<Attempt> {
  const inputs = readStepInputs(d.services, req);
  if (!inputs.ok) return fromInputsFailure(inputs.error);
  const key = await buildRunKey(d.services, req, inputs.value, { now: d.runTime, env: d.env, load: d.load });
  if (!key.ok) return { ok: false, diagnostics: [key.error] };
  const outAbs = path.join(req.workspaceRoot, outputDir(req.projectRoot, req.step));
  const cached = inputs.value.step.cache.enabled;
  const lookups = cached && !d.skipLookups;
  // Outputs on disk made with this key: compared by fingerprint first, so a miss reads nothing else.
  if (lookups) {
    const kept = keptOutputs(d, outAbs, key.value);
    if (kept) return finish(req, d, outAbs, key.value, 'kept', kept);
  }
  ensureIgnoredDir(path.join(req.workspaceRoot, req.projectRoot, '.nx-steps'));
  fs.mkdirSync(path.dirname(outAbs), { recursive: true });
  const lock = await lockOutputDir(outAbs, (owner) =>
    d.log.note(`waiting for another run of this step${owner ? ` (pid ${owner.pid})` : ''} to finish writing its outputs...`),
  );
  try {
    if (lookups) {
      // The other run may just have produced exactly this result.
      const kept = keptOutputs(d, outAbs, key.value);
      if (kept) return finish(req, d, outAbs, key.value, 'kept', kept);
      const restored = d.entries
        ? await restoreEntry(d.entries, req.workspaceRoot, { key: key.value.entryKey, digest: key.value.digest }, verifyOptions(d), d.log)
        : undefined;
      if (restored) {
        install(restored.dir, outAbs);
        return finish(req, d, outAbs, key.value, restored.source === 'local' ? 'step-local' : 'step-remote', restored.meta);
      }
    }
    return await executeAndStore(req, d, inputs.value, key.value, outAbs, cached);
  } finally {
    lock.release();
  }
}

/** How results are verified before use: every file against its digest, and its signature when signing is on. */
function verifyOptions(d: Deps): { digestOf: (file: string) => string; trust: Services['trust'] } {
  return { digestOf: (f) => d.services.hasher.digest(f), trust: d.services.trust };
}

function keptOutputs(d: Deps, outAbs: string, key: RunKey): StepMeta | undefined {
  const existing = readOutputs(outAbs, { ...verifyOptions(d), fingerprint: key.digest });
  return existing.ok ? existing.meta : undefined;
}

/** Phases 4 and 5. The caller holds the output lock. */
async function executeAndStore(req: RunStepRequest, d: Deps, inputs: StepInputs, key: RunKey, outAbs: string, cached: boolean): Promise<Attempt> {
  const { step } = inputs;
  let mod: Record<string, unknown>;
  try {
    mod = await d.load(path.join(req.workspaceRoot, step.file));
  } catch (e) {
    return { ok: false, diagnostics: [moduleLoadFailed(e, { ...req, relFile: step.file })] };
  }
  const work = newWorkDir(req.workspaceRoot);
  const dir = path.join(work, 'result');
  try {
    const executed = await execute(req, { inputs, fingerprint: { digest: key.digest, record: key.record }, mod, dir, log: d.log, now: d.now });
    if (!executed.ok) return fromInputsFailure(executed.error);
    if (cached && changedDuringRun(req, d, key)) return { ok: false, diagnostics: [changedSinceHashed(req, step)] };
    const strategy = step.cache.enabled ? step.cache.strategy : 'cache: false';
    const { meta, durationMs, metrics } = executed.value;
    d.services.trust?.sign(dir, meta);
    // Past tense and dated on purpose: Nx replays this line when it restores the step from its cache.
    const line = `result computed in ${formatDuration(durationMs)} on ${meta.createdAt.replace('T', ' ').slice(0, 19)} UTC (${strategy}) → ${meta.result.value.bytes} B, ${meta.result.files.length} file(s), digest ${meta.result.digest.slice(0, 12)}`;
    if (cached && d.entries) await storeEntry(d.entries, req.workspaceRoot, key.entryKey, dir, `nx-steps ▸ ${req.project}:${step.name} ${line}\n`, d.log);
    install(dir, outAbs);
    writeMetrics(req.workspaceRoot, key.digest, metrics);
    d.log.note(line);
    return finish(req, d, outAbs, key, cached ? 'executed' : 'uncached', meta, durationMs);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Whether the step's code or data changed while it ran: its result was made
 * from something its key does not describe. (An upstream result cannot
 * change under it: it was read before the call.)
 */
function changedDuringRun(req: RunStepRequest, d: Deps, key: RunKey): boolean {
  // Read from the files again: the model read before the run holds the step function as it was then.
  const found = findStep(d.services, req);
  if (!found.ok || found.value.step.errors.length > 0) return true;
  const again = new KeyBuilder(d.services, d.runTime).parts(found.value.project, found.value.step);
  return !again.ok || liveDigest(again.value) !== key.live;
}

function finish(req: RunStepRequest, d: Deps, outAbs: string, key: RunKey, source: StampSource, meta: StepMeta, durationMs = 0): RunStepOutcome {
  writeTaskStamp(outAbs, { ...(req.nxHash !== undefined ? { nxHash: req.nxHash } : {}), source, at: Date.now(), fingerprint: key.digest });
  // On this machine only (the record in step.json holds digests): what `report --experiments` and `why` show.
  writeParamValues(req.workspaceRoot, key.digest, key.params, key.parts.step.secrets);
  switch (source) {
    case 'kept':
      d.log.note(`outputs on disk already match this step's fingerprint (${key.digest.slice(0, 12)}); kept, not re-run.`);
      return { ok: true, status: 'kept', durationMs: 0, meta };
    case 'step-local':
    case 'step-remote': {
      const where = source === 'step-local' ? 'local' : 'remote';
      d.log.note(
        `restored from the ${where} cache by this step's own key (${key.digest.slice(0, 12)}), not re-run; made ${meta.createdAt.replace('T', ' ').slice(0, 19)} UTC in ${formatDuration(meta.durationMs)}.`,
      );
      return { ok: true, status: 'restored', from: where, durationMs: 0, meta };
    }
    case 'executed':
    case 'uncached':
      return { ok: true, status: source, durationMs, meta };
  }
}

/** A logger for a recovered upstream step: same sink, its own prefix. */
function prefixedLog(base: RunLog, prefix: string): RunLog {
  return { ...base, note: (m) => base.note(`(${prefix}) ${m}`) };
}
