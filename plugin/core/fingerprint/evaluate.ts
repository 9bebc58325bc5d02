/**
 * Computes the parts of fingerprints that need the disk: argument contents
 * and code closures. Failures are values (diagnostics naming the project,
 * step, argument and path), never exceptions.
 */
import * as path from 'node:path';
import type { StepCode } from '../code/closure';
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import { hashDir } from '../hash/dir-hasher';
import type { HashFailure } from '../hash/hash-failure';
import type { ProjectModel, ResolvedArg, StepModel } from '../model/project-model';
import { escapesRoot, relativePosix } from '../util/paths';
import type { Result } from '../util/result';
import { fail, ok } from '../util/result';
import type { Services } from '../workspace';
import type { ArgPart, ItemPart } from './fingerprint';
import { valueDigest } from './fingerprint';

export function absoluteArgPath(workspaceRoot: string, arg: Extract<ResolvedArg, { kind: 'file' | 'dir' }>): string {
  return arg.location.scope === 'workspace' ? path.join(workspaceRoot, arg.location.path) : arg.location.path;
}

type PathArg = Extract<ResolvedArg, { kind: 'file' | 'dir' }>;

function argProblem(
  step: StepModel,
  project: string,
  argName: string,
  message: string,
  hint: string,
  code: Diagnostic['code'] = DiagnosticCodes.missingInput,
): Diagnostic {
  return {
    code,
    severity: 'error',
    message,
    hint,
    location: { file: step.file, ...(step.declaration.args[argName]?.loc ?? step.declaration.loc) },
    project,
    step: step.name,
    argument: argName,
  };
}

/**
 * Why an argument could not be hashed, in the terms of its declaration:
 * which project, step and argument, which path (workspace-relative when it
 * is inside the workspace), and what to do. A problem with an entry inside
 * a folder argument also says how to exclude that entry.
 */
function hashProblem(workspaceRoot: string, step: StepModel, project: string, argName: string, arg: PathArg, f: HashFailure): Diagnostic {
  const root = absoluteArgPath(workspaceRoot, arg);
  const inWorkspace = (abs: string): boolean => arg.location.scope === 'workspace' && !escapesRoot(relativePosix(workspaceRoot, abs));
  const p = inWorkspace(f.path) ? relativePosix(workspaceRoot, f.path) : f.path;
  const inside = arg.kind === 'dir' && f.path !== root ? relativePosix(root, f.path) : undefined;
  const what = `The ${arg.kind} argument \`${argName}\` of ${project}:${step.name}`;
  // "is a broken link" for the argument itself, "contains a broken link" for an entry of its folder.
  const isOrContains = `${what} ${inside === undefined ? 'is' : 'contains'}`;
  const orExclude = inside === undefined ? '' : `, or exclude it: dir('${arg.declared}', { exclude: ['${inside}'] })`;
  const problem = (message: string, hint: string, code?: Diagnostic['code']): Diagnostic => argProblem(step, project, argName, message, hint, code);
  switch (f.reason) {
    case 'missing':
      return inside === undefined
        ? problem(`${what} does not exist: ${p}.`, `Create it, or change the path in ${step.file} (relative paths start at the pipeline file's folder).`)
        : problem(
            `${what} lost an entry while it was being hashed: ${p}.`,
            'Let whatever writes the folder finish, then run again.',
            DiagnosticCodes.inputChanged,
          );
    case 'broken-link':
      return problem(`${isOrContains} a broken symbolic link: ${p} -> ${f.target}.`, `Create its target, or fix the link${orExclude}.`);
    case 'permission':
      return problem(`${what} cannot be read: permission denied on ${p}.`, `Give the user running Nx read access to it${orExclude}.`);
    case 'changed':
      return problem(`${what} changed while it was being hashed: ${p}.`, 'Let whatever writes it finish, then run again.', DiagnosticCodes.inputChanged);
    case 'is-folder':
      return problem(`${what} is a folder: ${p}.`, `Declare it with dir('${arg.declared}') instead of file(...).`);
    case 'not-folder':
      return problem(`${what} is a file, not a folder: ${p}.`, `Declare it with file('${arg.declared}') instead of dir(...).`);
    case 'special':
      return problem(
        `${isOrContains} a ${f.kind}, not a regular file: ${p}.`,
        `Arguments are identified by their content, and reading a ${f.kind} would consume or block it; point the argument at regular files${orExclude}.`,
      );
    case 'io':
      return problem(`${what} could not be read: ${f.message} (${p}).`, `Check that the path is readable${orExclude}.`);
  }
}

/** The content digest of every argument of a step, or why one cannot be hashed. */
export function evaluateArgs(services: Services, step: StepModel, project: string): Result<Record<string, ArgPart>, Diagnostic> {
  const out: Record<string, ArgPart> = {};
  for (const [name, arg] of Object.entries(step.args)) {
    if (arg.kind === 'value') {
      out[name] = { kind: 'value', digest: valueDigest(arg.value) };
      continue;
    }
    const abs = absoluteArgPath(services.workspaceRoot, arg);
    const shown = arg.location.scope === 'workspace' ? arg.location.path : abs;
    if (arg.kind === 'file') {
      const r = services.hasher.hashFile(abs);
      if (!r.ok) return fail(hashProblem(services.workspaceRoot, step, project, name, arg, r.error));
      out[name] = { kind: 'file', digest: r.value, path: shown };
    } else {
      const r = hashDir(abs, arg, services.hasher);
      if (!r.ok) return fail(hashProblem(services.workspaceRoot, step, project, name, arg, r.error));
      out[name] = { kind: 'dir', digest: r.value.digest, path: shown, files: r.value.files };
    }
  }
  return ok(out);
}

/**
 * The digest of a step's item (model/project-model.ts `StepItem`): a value's
 * canonical digest, or a file item's content, which must be readable now.
 */
export function evaluateItem(services: Services, step: StepModel, project: string): Result<ItemPart | undefined, Diagnostic> {
  const item = step.item;
  if (!item) return ok(undefined);
  if (item.source.kind === 'value') return ok({ key: item.key, kind: 'value', digest: valueDigest(item.source.value) });
  const arg: PathArg = { kind: 'file', location: item.source.location, declared: item.key };
  const abs = absoluteArgPath(services.workspaceRoot, arg);
  const r = services.hasher.hashFile(abs);
  if (!r.ok) return fail(hashProblem(services.workspaceRoot, step, project, item.fanOut?.input ?? 'item', arg, r.error));
  return ok({ key: item.key, kind: 'file', digest: r.value, path: arg.location.scope === 'workspace' ? arg.location.path : abs });
}

/** The step whose code a step runs: a fan-out item runs its fan-out step's function. */
export function codeName(step: StepModel): string {
  return step.item?.fanOut?.step ?? step.name;
}

/** Code closures of every valid code_hash step of a project, by step name. */
export function evaluateCode(services: Services, project: ProjectModel): Map<string, StepCode> {
  // Once per declared step: the items of a fan-out share their step's function.
  const byFile = new Map<string, Map<string, StepModel>>();
  for (const s of project.steps) {
    if (s.errors.length > 0 || !s.cache.enabled || s.cache.strategy !== 'code_hash') continue;
    const steps = byFile.get(s.file) ?? new Map<string, StepModel>();
    if (!steps.has(codeName(s))) steps.set(codeName(s), s);
    byFile.set(s.file, steps);
  }
  const out = new Map<string, StepCode>();
  for (const [file, steps] of byFile) {
    const codes = services.code.stepCodes(
      file,
      [...steps].map(([name, s]) => ({ name, fn: s.declaration.fn })),
    );
    for (const name of steps.keys()) {
      const c = codes[name];
      if (c) out.set(name, c);
    }
  }
  return out;
}
