/**
 * What the next run of a step will do, and why: `nx-steps why`.
 *
 * The step's next key is the fingerprint previewKey() computes (exactly
 * what the executor would use; no step runs, only a custom key function
 * where one is declared), compared with the one stored next to its
 * outputs (the last run that produced or restored them), and with the keys
 * of results recorded in earlier runs (which the Nx cache may still hold).
 *
 * Upstream steps are explained first: a need's part of the key is the
 * digest of the upstream result, which is only known once that step has
 * run. If an upstream step will run, this step re-runs only if the new
 * upstream result differs (early cutoff), unless its own parts changed.
 */
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import type { FingerprintRecord } from '../fingerprint/fingerprint';
import { fingerprintDigest } from '../fingerprint/fingerprint';
import { readStepMeta } from '../records/observe';
import type { StepMeta } from '../outputs/store';
import type { RunRecord } from '../records/run-record';
import { runTime } from '../fingerprint/ttl';
import type { KeyPreview } from '../run/key';
import { previewKey } from '../run/key';
import { upstreamClosure } from '../run/run-scope';
import { importModule } from '../run/load-module';
import type { RunStepRequest } from '../run/request';
import type { Services } from '../workspace';
import { loadWorkspaceModel } from '../workspace';
import type { KeyChange } from './fingerprint-diff';
import { withDirFiles } from './dir-changes';
import { diffFingerprints } from './fingerprint-diff';
import { own } from '../util/own';
import type { ParamValues } from '../records/param-values';
import { readParamValues, withParamValues } from '../records/param-values';
import { shownParams } from '../state/secrets';

export type Verdict =
  /** The step function will not be called: its result is known. */
  | { readonly kind: 'hit'; readonly via: 'outputs-on-disk' | 'nx-cache'; readonly cachedAt?: string }
  /** It will run: a part of its key changed, or it has no result yet. */
  | { readonly kind: 'run'; readonly because: 'key-changed' | 'no-result' }
  /** It depends on upstream steps that will run; it re-runs only if their results change. */
  | { readonly kind: 'upstream'; readonly steps: readonly string[] }
  /** `cache: false`: it runs every time. */
  | { readonly kind: 'always' }
  /** It cannot run as things are (a missing input, a bad override, a broken declaration). */
  | { readonly kind: 'error'; readonly diagnostics: readonly Diagnostic[] };

export interface StepExplanation {
  readonly step: string;
  readonly verdict: Verdict;
  /** Digest of the key the next run would use, when it is known now (not while an upstream step will run). */
  readonly next?: string;
  /** The result on disk: the last run that produced or restored it. */
  readonly last?: { readonly fingerprint: string; readonly createdAt: string; readonly durationMs: number };
  /** Parts of the key that differ from `last`. */
  readonly changes: readonly KeyChange[];
}

export interface NextRunRequest extends Omit<RunStepRequest, 'step'> {
  /** Earlier runs, to recognise keys whose results the Nx cache may hold. */
  readonly history: readonly RunRecord[];
  /** The environment a custom cache key reads (the next run's, as far as we can tell: ours). */
  readonly env: NodeJS.ProcessEnv;
}

/** Explains `step` and every step it needs (transitively), upstream first. */
export async function explainNextRun(services: Services, req: NextRunRequest, step: string): Promise<StepExplanation[]> {
  // The declared needs, read once: preparation stops at a missing upstream result before it returns the step.
  const model = loadWorkspaceModel(services, req.pipelineFiles).projects.find((p) => p.root === req.projectRoot);
  // A need on a fan-out step is a need on every item.
  const needsOf = (name: string): string[] => [
    ...new Set(
      Object.values(model?.steps.find((s) => s.name === name)?.needs ?? {}).flatMap(
        (n) => (model ? own(model.fanOuts, n) : undefined)?.items.map((i) => i.target) ?? [n],
      ),
    ),
  ];
  const runSteps = model ? [...upstreamClosure(model, step)] : undefined;
  const done = new Map<string, StepExplanation>();
  const results = new Map<string, string>();
  const visit = async (name: string, chain: readonly string[]): Promise<void> => {
    if (done.has(name) || chain.includes(name)) return;
    for (const up of needsOf(name)) await visit(up, [...chain, name]);
    // Command-line overrides reach every step of the run that declares them, as with `nx run` (params.ts).
    const prepared = await previewKey(
      services,
      { ...req, step: name, runSteps },
      { now: runTime(req.env), env: req.env, load: (f) => importModule(f, req.workspaceRoot) },
    );
    done.set(name, explainOne(services, req, name, needsOf(name), prepared, done, results));
  };
  await visit(step, []);
  return [...done.values()];
}

function pending(v: Verdict): boolean {
  return v.kind === 'run' || v.kind === 'upstream' || v.kind === 'always' || v.kind === 'error';
}

/**
 * The record the next run would store; an upstream step restored from the Nx cache brings back the result
 * recorded with its key. Param values beside their digests, as this machine knows them (secrets masked).
 */
function nextRecord(preview: Extract<KeyPreview, { ok: true }>['value'], results: ReadonlyMap<string, string>): FingerprintRecord {
  const { fingerprint, key, step } = preview;
  const needs = Object.fromEntries(Object.entries(fingerprint.needs).map(([k, n]) => [k, { ...n, digest: results.get(n.step) ?? n.digest }]));
  return withParamValues({ ...fingerprint, needs }, shownParams(key.params, step.secrets) as ParamValues);
}

/** What differs between the stored record (its param values from this machine, where it made them) and the next. */
function changesSince(services: Services, meta: StepMeta, next: FingerprintRecord): KeyChange[] {
  const stored = withParamValues(meta.fingerprint.record, readParamValues(services.workspaceRoot, meta.fingerprint.digest));
  return diffFingerprints(stored, next).map((c) => withDirFiles(c, own(stored.args, c.name ?? ''), own(next.args, c.name ?? ''), services.hasher.listings));
}

function explainOne(
  services: Services,
  req: NextRunRequest,
  name: string,
  needs: readonly string[],
  prepared: KeyPreview,
  done: ReadonlyMap<string, StepExplanation>,
  results: Map<string, string>,
): StepExplanation {
  const meta = readStepMeta(services.workspaceRoot, req.projectRoot, name);
  const last = meta ? { fingerprint: meta.fingerprint.digest, createdAt: meta.createdAt, durationMs: meta.durationMs } : undefined;
  const base = { step: name, ...(last ? { last } : {}) };
  if (!prepared.ok) {
    const waiting = needs.filter((u) => {
      const e = done.get(u);
      return e !== undefined && pending(e.verdict);
    });
    const onlyUpstreamMissing = prepared.diagnostics.every((d) => d.code === DiagnosticCodes.missingUpstream);
    if (onlyUpstreamMissing && waiting.length) return { ...base, verdict: { kind: 'upstream', steps: waiting }, changes: [] };
    return { ...base, verdict: { kind: 'error', diagnostics: prepared.diagnostics }, changes: [] };
  }
  const { step } = prepared.value;
  if (!step.cache.enabled) return { ...base, verdict: { kind: 'always' }, changes: [] };

  const next = nextRecord(prepared.value, results);
  const digest = fingerprintDigest(next);
  const changes = meta ? changesSince(services, meta, next) : [];
  const upstreamPending = needs.filter((u) => {
    const e = done.get(u);
    return e !== undefined && pending(e.verdict);
  });
  const explained = (verdict: Verdict, shown: readonly KeyChange[] = changes): StepExplanation => ({ ...base, verdict, next: digest, changes: shown });

  if (upstreamPending.length) {
    // A need whose upstream will run has an unknown digest: its difference now says nothing.
    // Nor is the next key known: it is left out rather than shown with a stale upstream digest.
    const known = changes.filter((c) => !(c.part === 'needs' && upstreamPending.includes(own(next.needs, c.name ?? '')?.step ?? '')));
    const verdict: Verdict = known.length ? { kind: 'run', because: 'key-changed' } : { kind: 'upstream', steps: upstreamPending };
    return { ...base, verdict, changes: known };
  }
  if (meta && meta.fingerprint.digest === digest) {
    results.set(name, meta.result.digest);
    return explained({ kind: 'hit', via: 'outputs-on-disk' });
  }
  const earlier = findCached(req.history, req.project, name, digest);
  if (earlier) {
    if (earlier.result) results.set(name, earlier.result);
    return explained({ kind: 'hit', via: 'nx-cache', cachedAt: earlier.at });
  }
  return explained({ kind: 'run', because: meta ? 'key-changed' : 'no-result' });
}

/** The newest recorded result of this step made or restored with this key. */
function findCached(history: readonly RunRecord[], project: string, step: string, digest: string): { at: string; result?: string } | undefined {
  for (let i = history.length - 1; i >= 0; i--) {
    const run = history[i] as RunRecord;
    const s = run.steps.find((x) => x.project === project && x.step === step && x.fingerprint === digest && x.source !== 'uncached');
    if (s) return { at: run.startedAt, ...(s.result ? { result: s.result } : {}) };
  }
  return undefined;
}
