/**
 * `loadResult('ml:evaluate')`: a step's current result, in a script or a
 * notebook, as the step's downstream steps receive it (Maps, typed arrays,
 * apache-arrow Tables, registered types...).
 *
 *   import { loadResult } from 'nx-steps/results';
 *   import type { evaluate } from './ml/ml.pipeline';
 *   const metrics = await loadResult<typeof evaluate>('ml:evaluate');   // typed as evaluate's result
 *
 * "Current" means made with the step's fingerprint of now: when the outputs
 * on disk were, they are read as they are; otherwise `nx run <target>` runs
 * first, so Nx restores the result from its cache (local or remote) or,
 * when no entry exists, computes it. `{ run: false }` reads what is on disk
 * (verified) without asking Nx. Failures throw a `ResultError` with an NXS
 * code and what to do.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DiagnosticCodes, DiagnosticError } from '../core/diagnostics';
import { runTime } from '../core/fingerprint/ttl';
import { saltStep } from '../core/fingerprint/workspace-pass';
import { outputDir } from '../core/outputs/layout';
import type { StorageFailure } from '../core/outputs/result';
import { readResult } from '../core/outputs/result';
import type { ProjectModel, StepModel } from '../core/model/project-model';
import { previewKey } from '../core/run/key';
import { importModule } from '../core/run/load-module';
import { parseJsonc } from '../core/util/jsonc';
import { createServices, loadWorkspaceModel } from '../core/workspace';
import { discoverPipelineFiles } from '../nx/discover';
import { machineStateDir } from '../nx/nx-cache';
import type { NormalizedOptions } from '../core/plugin-options';
import { optionsOfPlugins } from '../core/plugin-options';
import { workspaceTrust } from '../nx/signing';
import type { Step, StepResult } from '../api/step';

export interface LoadResultOptions {
  /** A folder inside the Nx workspace. Default: the current directory. */
  readonly cwd?: string;
  /** When the outputs on disk are not current, run `nx run <target>` first (default true). */
  readonly run?: boolean;
}

/** Why a result could not be loaded: `code` is an NXS code (see the README's troubleshooting table). */
export class ResultError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
  ) {
    super(`${code}: ${message} ${hint}`);
  }
}

/** `loadResult<typeof evaluate>(...)` is typed as evaluate's result; a plain type argument is taken as it is. */
export type LoadedResult<S> = S extends Step<unknown> ? StepResult<S> : S;

export interface LocatedStep {
  readonly root: string;
  readonly project: ProjectModel;
  readonly step: StepModel;
  readonly dir: string;
  /** The plugin's `secretParams` option: the key of the next run is computed with it. */
  readonly secretParams: string | false;
}

export function workspaceRootOf(from: string): string | undefined {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'nx.json'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The options of nx-steps/plugin in the workspace's nx.json. */
function pluginOptionsAt(root: string): NormalizedOptions {
  const nxJson = parseJsonc(fs.readFileSync(path.join(root, 'nx.json'), 'utf8')) as { plugins?: Parameters<typeof optionsOfPlugins>[0] };
  return optionsOfPlugins(nxJson.plugins);
}

/** Finds `project:step` in the workspace around `cwd` (the same discovery as the plugin's). */
export async function locateStep(target: string, cwd: string): Promise<LocatedStep> {
  const root = workspaceRootOf(cwd);
  if (!root) throw new ResultError('NXS301', `No nx.json in ${cwd} or any folder above it.`, 'Run this inside an Nx workspace, or pass { cwd }.');
  const [projectName, stepName, extra] = target.split(':');
  if (!projectName || !stepName || extra !== undefined)
    throw new ResultError('NXS206', `Expected <project>:<step>, got "${target}".`, "Name the step as in nx run: loadResult('etl:clean_data').");
  const options = pluginOptionsAt(root);
  const services = createServices(root, { secretParams: options.secretParams });
  try {
    const model = loadWorkspaceModel(services, await discoverPipelineFiles(root, options.pipelines));
    const project = model.projects.find((p) => p.displayName === projectName);
    const step = project?.steps.find((s) => s.name === stepName);
    if (!project || !step) {
      const known = project
        ? `Its steps: ${project.steps.map((s) => s.name).join(', ')}.`
        : `Pipeline projects: ${model.projects.map((p) => p.displayName).join(', ') || '(none)'}.`;
      throw new ResultError('NXS206', `No step ${target} in ${root}.`, known);
    }
    return { root, project, step, dir: path.join(root, outputDir(project.root, step.name)), secretParams: options.secretParams };
  } finally {
    services.flush();
  }
}

/** The fingerprint the next run of the step would use, or undefined when it cannot be computed now (an upstream result is missing...). */
async function currentFingerprint(located: LocatedStep): Promise<string | undefined> {
  const services = createServices(located.root, { machineStateDir: machineStateDir(located.root), secretParams: located.secretParams });
  try {
    const req = {
      workspaceRoot: located.root,
      project: located.project.displayName,
      projectRoot: located.project.root,
      step: located.step.name,
      pipelineFiles: located.project.pipelineFiles,
      overrides: {},
    };
    const prepared = await previewKey(services, req, { now: runTime(), env: process.env, load: (f) => importModule(f, located.root) });
    return prepared.ok ? prepared.value.key.digest : undefined;
  } catch {
    return undefined;
  } finally {
    services.flush();
  }
}

function nxBinOf(root: string): string {
  try {
    const pkgFile = require.resolve('nx/package.json', { paths: [root] });
    return path.join(path.dirname(pkgFile), (JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { bin: { nx: string } }).bin.nx);
  } catch {
    throw new ResultError('NXS301', `nx is not installed in ${root}.`, 'Run npm install there.');
  }
}

/** `nx run <target>`: its exit status and the last lines it printed. */
function nxRun(root: string, target: string): { readonly ok: boolean; readonly status: number | null; readonly tail: string } {
  const r = spawnSync(process.execPath, [nxBinOf(root), 'run', target], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { ok: r.status === 0, status: r.status, tail: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n') };
}

function runFailed(target: string, run: ReturnType<typeof nxRun>): ResultError {
  return new ResultError(
    DiagnosticCodes.runFailed,
    `nx run ${target} failed (exit ${String(run.status)}):\n${run.tail}\n`,
    'Fix the step and load its result again.',
  );
}

/** Salts the step's key on this machine and removes its outputs: the next `nx run` recomputes it instead of restoring the same entry. */
function forgetResult(located: LocatedStep): void {
  const services = createServices(located.root, { machineStateDir: machineStateDir(located.root), secretParams: located.secretParams });
  try {
    saltStep(services, located.project, located.step, 'recovery', runTime());
    fs.rmSync(located.dir, { recursive: true, force: true });
  } finally {
    services.flush();
  }
}

/**
 * Runs the step through Nx until its result is usable, at most twice: a
 * result Nx restored from a damaged, empty or (with signing on) untrusted
 * cache entry makes the first run end with NXS207 (the post-task hook salted
 * the step), or is found here and salted, and the second run recomputes it.
 */
function runUntilUsable(located: LocatedStep, target: string): void {
  const first = nxRun(located.root, target);
  if (first.ok && checkStored(located).ok) return;
  if (!first.ok && !first.tail.includes(DiagnosticCodes.corruptOutput)) throw runFailed(target, first);
  if (first.ok) forgetResult(located);
  const second = nxRun(located.root, target);
  if (!second.ok) throw runFailed(target, second);
}

/** Reads and verifies an output folder: every file against its digest, and its signature when signing is on. */
function checkStored(located: Pick<LocatedStep, 'root' | 'dir'>, fingerprint?: string): ReturnType<typeof readResult> {
  let trust: ReturnType<typeof workspaceTrust>;
  try {
    trust = workspaceTrust(located.root, pluginOptionsAt(located.root).signing, process.env);
  } catch (e) {
    if (e instanceof DiagnosticError) throw new ResultError(e.diagnostic.code, e.diagnostic.message, e.diagnostic.hint ?? '');
    throw e;
  }
  const services = createServices(located.root);
  try {
    return readResult(located.dir, {
      arrowFrom: located.root,
      digestOf: (f) => services.hasher.digest(f),
      trust,
      ...(fingerprint !== undefined ? { fingerprint } : {}),
    });
  } finally {
    services.flush();
  }
}

/** Decodes a verified output folder, or throws what went wrong. */
export function decodeStored(located: Pick<LocatedStep, 'root' | 'dir'>, what: string): unknown {
  const read = checkStored(located);
  if (!read.ok) {
    throw new ResultError(
      read.problem === 'missing' ? 'NXS203' : 'NXS207',
      `The result of ${what} is ${read.problem === 'missing' ? 'not on disk' : `unusable: ${read.detail}`}.`,
      read.problem === 'missing'
        ? `Run it: nx run ${what}.`
        : `Load it with loadResult('${what}'), which recomputes it, or run: npx nx-steps clear ${what} && nx run ${what}.`,
    );
  }
  const value = read.value();
  if (!value.ok) throw failureError(value.error);
  return value.value;
}

export function failureError(f: StorageFailure): ResultError {
  return new ResultError(f.code, f.message, f.hint);
}

export async function loadResult<S = unknown>(target: string, options: LoadResultOptions = {}): Promise<LoadedResult<S>> {
  const located = await locateStep(target, options.cwd ?? process.cwd());
  if (options.run !== false) {
    const want = located.step.cache.enabled ? await currentFingerprint(located) : undefined;
    const current = want !== undefined && checkStored(located, want).ok;
    if (!current) runUntilUsable(located, target);
  }
  return decodeStored(located, target) as LoadedResult<S>;
}
