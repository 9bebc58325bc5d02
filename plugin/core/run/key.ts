/**
 * Custom cache keys: `cache: { key: (ctx) => ... }`. The function runs before
 * Nx hashes the step (through a runtime input that calls `nx-steps key`) and
 * again in the executor, with the same context: the step's args (file and
 * dir args as absolute paths), its declared params, and the environment.
 * Its value joins the key through a canonical digest, so a string and an
 * object both work and key order inside objects does not matter.
 */
import type { Json } from '../../api/json';
import type { KeyContext } from '../../api/step';
import { isStep } from '../../api/step';
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import { absoluteArgPath } from '../fingerprint/evaluate';
import type { CanonicalValue } from '../hash/canonical';
import { canonicalDigest } from '../hash/canonical';
import type { StepModel } from '../model/project-model';
import type { Result } from '../util/result';
import { fail, ok } from '../util/result';
import * as path from 'node:path';
import { moduleLoadFailed } from './load-failure';
import { importModule, namedExport } from './load-module';
import type { PrepareResult } from './prepare';

function keyContext(workspaceRoot: string, step: StepModel, env: NodeJS.ProcessEnv): KeyContext {
  const args: Record<string, unknown> = {};
  for (const [name, arg] of Object.entries(step.args)) args[name] = arg.kind === 'value' ? arg.value : absoluteArgPath(workspaceRoot, arg);
  return { args, params: step.params as Record<string, Json>, env: { ...env } };
}

function keyProblem(project: string, step: StepModel, message: string, hint: string): Diagnostic {
  return { code: DiagnosticCodes.keyFailed, severity: 'error', message, hint, project, step: step.name, location: { file: step.file, ...step.declaration.loc } };
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
    return fail(keyProblem(project, step, `The custom cache key of ${project}:${step.name} is not a function when the module runs.`, 'Declare it inline: cache: { key: ({ params, env }) => ... }.'));
  }
  let value: unknown;
  try {
    value = await key(keyContext(workspaceRoot, step, env));
  } catch (e) {
    const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
    return fail(keyProblem(project, step, `The custom cache key of ${project}:${step.name} threw:\n\n${stack}`, 'Fix the key function; until then the step always runs and fails. Nothing was cached.'));
  }
  try {
    return ok(canonicalDigest(value as CanonicalValue));
  } catch {
    return fail(keyProblem(project, step, `The custom cache key of ${project}:${step.name} returned ${value === null ? 'null' : typeof value === 'object' ? 'an object that is not plain data' : `a ${typeof value}`}.`, 'Return a string, a number, or plain objects and arrays of those.'));
  }
}

/**
 * A prepared step's fingerprint plus its custom key's value, where it
 * declares one: what the executor adds before deciding anything. Only the
 * step's module can compute the key, so this loads it (running its top-level
 * code and the key function, never the step). `load` lets the executor reuse
 * the module it loads anyway.
 */
export async function withCustomKey(
  prepared: PrepareResult,
  req: { readonly workspaceRoot: string; readonly project: string; readonly projectRoot: string; readonly pipelineFiles: readonly string[] },
  env: NodeJS.ProcessEnv,
  load: (absFile: string, workspaceRoot: string) => Promise<Record<string, unknown>> = importModule,
): Promise<PrepareResult> {
  if (!prepared.ok) return prepared;
  const { step } = prepared.value;
  if (!step.cache.enabled || !step.cache.key) return prepared;
  let mod: Record<string, unknown>;
  try {
    mod = await load(path.join(req.workspaceRoot, step.file), req.workspaceRoot);
  } catch (e) {
    return { ok: false, diagnostics: [moduleLoadFailed(e, { ...req, step: step.name, relFile: step.file }, ` to evaluate the custom cache key of ${req.project}:${step.name}`)] };
  }
  const key = await evaluateKey(mod, req.workspaceRoot, req.project, step, env);
  if (!key.ok) return { ok: false, diagnostics: [key.error] };
  return { ok: true, value: { ...prepared.value, fingerprint: { ...prepared.value.fingerprint, key: key.value } } };
}
