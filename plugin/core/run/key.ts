/**
 * Phase 2 of a run: the step's key, built by the key builder
 * (fingerprint/step-key.ts) from the step's code and data and this run's
 * inputs, plus its custom key where it declares one.
 *
 * Custom cache keys: `cache: { key: (ctx) => ... }`. The function runs before
 * Nx hashes the step (through a runtime input that calls `nx-steps key`) and
 * again here, with the same context: the step's args (file and dir args as
 * absolute paths), its declared params, and the environment. Its value joins
 * the key through a canonical digest, so a string and an object both work and
 * key order inside objects does not matter.
 */
import type { Json } from '../../api/json';
import type { KeyContext } from '../../api/step';
import { isStep } from '../../shared/step-brand';
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import { absoluteArgPath } from '../fingerprint/evaluate';
import type { CanonicalValue } from '../hash/canonical';
import { canonicalDigest } from '../hash/canonical';
import type { StepModel } from '../model/project-model';
import type { Result } from '../util/result';
import { fail, ok } from '../util/result';
import * as path from 'node:path';
import type { FullKey, KeyParts } from '../fingerprint/step-key';
import { envValue, fullKey, KeyBuilder, liveDigest } from '../fingerprint/step-key';
import { readSalts, saltFor } from '../state/salts';
import { SECRET_KEY_ENV, secretDigest } from '../state/secrets';
import { emptyRecord, hasOwn } from '../util/own';
import type { Services } from '../workspace';
import type { StepInputs } from './inputs';
import { readStepInputs } from './inputs';
import { itemInput } from './item-input';
import { moduleLoadFailed } from './load-failure';
import { namedExport } from './load-module';
import type { RunStepRequest } from './request';
import { problem } from './request';

function keyContext(workspaceRoot: string, step: StepModel, env: NodeJS.ProcessEnv): KeyContext {
  const args: Record<string, unknown> = {};
  for (const [name, arg] of Object.entries(step.args)) args[name] = arg.kind === 'value' ? arg.value : absoluteArgPath(workspaceRoot, arg);
  // A fan-out item is an argument of its task, as the step function receives it.
  const item = itemInput(workspaceRoot, step);
  if (item) args[item[0]] = item[1];
  return { args, params: step.params as Record<string, Json>, env: { ...env } };
}

function keyProblem(project: string, step: StepModel, message: string, hint: string): Diagnostic {
  return {
    code: DiagnosticCodes.keyFailed,
    severity: 'error',
    message,
    hint,
    project,
    step: step.name,
    location: { file: step.file, ...step.declaration.loc },
  };
}

/** Evaluates a step's custom key in a loaded module; the digest of its value, or why not. */
export async function evaluateKey(
  module: Record<string, unknown>,
  workspaceRoot: string,
  project: string,
  step: StepModel,
  env: NodeJS.ProcessEnv,
): Promise<Result<string, Diagnostic>> {
  const exported = namedExport(module, step.exportName);
  const cache = isStep(exported) ? exported.options.cache : undefined;
  const key = typeof cache === 'object' && cache !== null ? cache.key : undefined;
  if (typeof key !== 'function') {
    return fail(
      keyProblem(
        project,
        step,
        `The custom cache key of ${project}:${step.name} is not a function when the module runs.`,
        'Declare it inline: cache: { key: ({ params, env }) => ... }.',
      ),
    );
  }
  let value: unknown;
  try {
    value = await key(keyContext(workspaceRoot, step, env));
  } catch (e) {
    const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
    return fail(
      keyProblem(
        project,
        step,
        `The custom cache key of ${project}:${step.name} threw:\n\n${stack}`,
        'Fix the key function; until then the step always runs and fails. Nothing was cached.',
      ),
    );
  }
  try {
    return ok(canonicalDigest(value as CanonicalValue));
  } catch {
    return fail(
      keyProblem(
        project,
        step,
        `The custom cache key of ${project}:${step.name} returned ${value === null ? 'null' : typeof value === 'object' ? 'an object that is not plain data' : `a ${typeof value}`}.`,
        'Return a string, a number, or plain objects and arrays of those.',
      ),
    );
  }
}

export interface RunKey extends FullKey {
  readonly parts: KeyParts;
  /** The params it was built with (overrides applied): their values are not in the record. */
  readonly params: Readonly<Record<string, Json>>;
  /** The unsalted live digest, and the `{env}` input value it gives with this machine's salt. */
  readonly live: string;
  readonly envValue: string;
}

export interface KeyOptions {
  /** The run's clock reading (TTL windows). */
  readonly now: number;
  /** The environment a custom key function reads. */
  readonly env: NodeJS.ProcessEnv;
  /** Loads the step's module; called only for a step with a custom key. */
  readonly load: (absFile: string) => Promise<Record<string, unknown>>;
}

/** The step's full key for this run, or why it cannot be built. */
export async function buildRunKey(services: Services, req: RunStepRequest, inputs: StepInputs, options: KeyOptions): Promise<Result<RunKey, Diagnostic>> {
  const { project, step } = inputs;
  const parts = new KeyBuilder(services, options.now).parts(project, step);
  if (!parts.ok) return parts;
  const live = liveDigest(parts.value);
  const salt = saltFor(readSalts(services.saltsFile), parts.value.id, live);
  const hashed = envValue(live, salt);
  if (req.hashedAs !== undefined && step.cache.enabled && req.hashedAs !== hashed) return fail(changedSinceHashed(req, step));
  let customKey: string | undefined;
  if (step.cache.enabled && step.cache.key) {
    const key = await customKeyOf(req, step, options);
    if (!key.ok) return key;
    customKey = key.value;
  }
  const needs = Object.fromEntries(Object.entries(inputs.upstream).map(([name, u]) => [name, u.digest]));
  const secretDigests = secretParamDigests(services, req, step, inputs.params);
  if (!secretDigests.ok) return secretDigests;
  const full = fullKey(parts.value, {
    params: inputs.params,
    needs,
    ...(customKey !== undefined ? { customKey } : {}),
    ...(salt !== undefined ? { salt } : {}),
    ...(step.secrets.length > 0 ? { secretDigests: secretDigests.value } : {}),
  });
  return ok({ ...full, parts: parts.value, params: inputs.params, live, envValue: hashed });
}

/** Each secret param's keyed digest (state/secrets.ts), or why the key to make them is not at hand. */
function secretParamDigests(
  services: Services,
  req: RunStepRequest,
  step: StepModel,
  params: Readonly<Record<string, Json>>,
): Result<Record<string, string>, Diagnostic> {
  const out = emptyRecord<string>();
  if (step.secrets.length === 0) return ok(out);
  const key = services.secretKey();
  if (!key.ok) {
    return fail(
      problem(req, DiagnosticCodes.storageFailed, `The key nx-steps digests secret params with cannot be read or made: ${key.error}.`, SECRET_KEY_HINT),
    );
  }
  for (const name of step.secrets) if (hasOwn(params, name)) out[name] = secretDigest(key.value, params[name]);
  return ok(out);
}

const SECRET_KEY_HINT = `Remove that file (a new key is made; steps with secret params run once more), or set ${SECRET_KEY_ENV} to the key your team shares.`;

async function customKeyOf(req: RunStepRequest, step: StepModel, options: KeyOptions): Promise<Result<string, Diagnostic>> {
  let mod: Record<string, unknown>;
  try {
    mod = await options.load(path.join(req.workspaceRoot, step.file));
  } catch (e) {
    return fail(moduleLoadFailed(e, { ...req, step: step.name, relFile: step.file }, ` to evaluate the custom cache key of ${req.project}:${step.name}`));
  }
  return evaluateKey(mod, req.workspaceRoot, req.project, step, options.env);
}

/**
 * The step's code, data or salt is not what Nx hashed when this command
 * started: Nx would store this run's result under a key that does not
 * describe it, so the step must not run now.
 */
export function changedSinceHashed(req: RunStepRequest, step: StepModel): Diagnostic {
  return problem(
    req,
    DiagnosticCodes.changedDuringRun,
    `The code or data of ${req.project}:${step.name} changed after Nx computed its cache key, earlier in this command (a file was edited, or the step was cleared, while the command ran). Running it now would cache its result under a key that does not describe it.`,
    'Nothing was run or cached. Run the command again.',
    { location: { file: step.file, ...step.declaration.loc } },
  );
}

/** What the next run of a step would start from: for tools that explain it (`why`, `fingerprint`). */
export type KeyPreview =
  | {
      readonly ok: true;
      readonly value: { readonly inputs: StepInputs; readonly step: StepModel; readonly key: RunKey; readonly fingerprint: RunKey['record'] };
    }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * The key the next run of a step would use, computed exactly as the executor
 * computes it. No step runs; only a custom key function, where one is declared.
 */
export async function previewKey(services: Services, req: RunStepRequest, options: KeyOptions): Promise<KeyPreview> {
  const inputs = readStepInputs(services, req);
  if (!inputs.ok) return { ok: false, diagnostics: inputs.error.diagnostics };
  const key = await buildRunKey(services, { ...req, hashedAs: undefined }, inputs.value, options);
  if (!key.ok) return { ok: false, diagnostics: [key.error] };
  return { ok: true, value: { inputs: inputs.value, step: inputs.value.step, key: key.value, fingerprint: key.value.record } };
}
