/**
 * Computes the parts of fingerprints that need the disk: argument contents
 * and code closures. Failures are values (diagnostics naming the project,
 * step, argument and path), never exceptions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StepCode } from '../code/closure';
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import { canonicalDigest } from '../hash/canonical';
import { hashDir } from '../hash/dir-hasher';
import { FileChangedWhileHashing } from '../hash/file-hasher';
import type { ProjectModel, ResolvedArg, StepModel } from '../model/project-model';
import type { Result } from '../util/result';
import { fail, ok } from '../util/result';
import type { Services } from '../workspace';
import type { ArgPart, LockEntry } from './fingerprint';
import { valueDigest } from './fingerprint';

export function absoluteArgPath(workspaceRoot: string, arg: Extract<ResolvedArg, { kind: 'file' | 'dir' }>): string {
  return arg.location.scope === 'workspace' ? path.join(workspaceRoot, arg.location.path) : arg.location.path;
}

function argProblem(step: StepModel, project: string, argName: string, message: string, hint: string): Diagnostic {
  return {
    code: DiagnosticCodes.missingInput,
    severity: 'error',
    message,
    hint,
    location: { file: step.file, ...step.declaration.args[argName]?.loc ?? step.declaration.loc },
    project,
    step: step.name,
    argument: argName,
  };
}

/** The content digest of every argument of a step. */
export function evaluateArgs(services: Services, step: StepModel, project: string): Result<Record<string, ArgPart>, Diagnostic> {
  const out: Record<string, ArgPart> = {};
  for (const [name, arg] of Object.entries(step.args)) {
    if (arg.kind === 'value') {
      out[name] = { kind: 'value', digest: valueDigest(arg.value) };
      continue;
    }
    const abs = absoluteArgPath(services.workspaceRoot, arg);
    const shown = arg.location.scope === 'workspace' ? arg.location.path : abs;
    const where = `${arg.kind} argument \`${name}\` of ${project}:${step.name}`;
    let st: fs.BigIntStats;
    try {
      st = fs.statSync(abs, { bigint: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return fail(
        code === 'EACCES'
          ? argProblem(step, project, name, `The ${where} cannot be read: permission denied on ${shown}.`, 'Give the user running Nx read access to it.')
          : argProblem(step, project, name, `The ${where} does not exist: ${shown}.`, `Create it, or change the path in ${step.file} (relative paths start at the pipeline file's folder).`),
      );
    }
    try {
      if (arg.kind === 'file') {
        if (st.isDirectory()) {
          return fail(argProblem(step, project, name, `The ${where} is a folder: ${shown}.`, `Declare it with dir('${arg.declared}') instead of file(...).`));
        }
        out[name] = { kind: 'file', digest: services.hasher.digest(abs, st), path: shown };
      } else {
        if (!st.isDirectory()) {
          return fail(argProblem(step, project, name, `The ${where} is a file, not a folder: ${shown}.`, `Declare it with file('${arg.declared}') instead of dir(...).`));
        }
        const d = hashDir(abs, arg, services.hasher);
        out[name] = { kind: 'dir', digest: d.digest, path: shown, files: d.files };
      }
    } catch (e) {
      if (e instanceof FileChangedWhileHashing) {
        return fail({ ...argProblem(step, project, name, `The ${where} changed while it was being hashed: ${e.file}.`, 'Let whatever writes it finish, then run again.'), code: DiagnosticCodes.inputChanged });
      }
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EACCES') {
        return fail(argProblem(step, project, name, `The ${where} cannot be read: permission denied${err.path ? ` on ${err.path}` : ''}.`, 'Give the user running Nx read access to it.'));
      }
      return fail(argProblem(step, project, name, `The ${where} could not be hashed: ${err.message}.`, 'Check that the path is readable.'));
    }
  }
  return ok(out);
}

/** Code closures of every valid code_hash step of a project, by step name. */
export function evaluateCode(services: Services, project: ProjectModel): Map<string, StepCode> {
  const byFile = new Map<string, StepModel[]>();
  for (const s of project.steps) {
    if (s.errors.length > 0 || !s.cache.enabled || s.cache.strategy !== 'code_hash') continue;
    byFile.set(s.file, [...(byFile.get(s.file) ?? []), s]);
  }
  const out = new Map<string, StepCode>();
  for (const [file, steps] of byFile) {
    const codes = services.code.stepCodes(
      file,
      steps.map((s) => ({ name: s.name, fn: s.declaration.fn })),
    );
    for (const s of steps) {
      const c = codes[s.name];
      if (c) out.set(s.name, c);
    }
  }
  return out;
}

/**
 * What the pre-task hook hands Nx for a step: everything that can change
 * without a committed file changing (data contents, plugin version, the TTL
 * window), on top of the lock entry. The salt is applied separately
 * (`salted`), because salts are dropped by comparing unsalted digests.
 */
export function liveDigest(lock: LockEntry, args: Readonly<Record<string, ArgPart>>, nxSteps: string, ttlWindow?: number): string {
  return canonicalDigest({
    lock: { code: lock.code, config: lock.config },
    nxSteps,
    args: Object.fromEntries(Object.entries(args).map(([k, a]) => [k, `${a.kind}:${a.digest}`])),
    ttl: ttlWindow,
  });
}

export function salted(live: string, salt: string | undefined): string {
  return salt === undefined ? live : canonicalDigest({ live, salt });
}
