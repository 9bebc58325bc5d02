/**
 * Phase 2: turns the declarations read from every pipeline file into
 * validated projects. Pure: the caller supplies what it knows about the file
 * system (existing project names), so this runs in unit tests without a
 * workspace and never touches a disk.
 */
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import { compareCodePoints } from '../hash/canonical';
import { secretPattern } from '../state/secrets';
import { emptyRecord, OBJECT_PROTOTYPE_NAMES } from '../util/own';
import { dirnamePosix } from '../util/paths';
import type { Json } from '../../api/json';
import type { EachDeclaration, Loc, ParsedPipelineFile, StepDeclaration } from './declarations';
import type { ListFiles } from './fan-out';
import { markCycles } from './cycles';
import { projectName } from './project-name';
import { resolveArg, resolveNeed } from './resolve';
import { expandFanOut, factoryItem } from './fan-out';
import type { FanOutModel, ProjectModel, ResolvedArg, StepModel, WorkspaceModel } from './project-model';

/** Nx's `nx run` reads these target names as aliases of build/e2e/lint/serve/test. */
export const RESERVED_STEP_NAMES: ReadonlySet<string> = new Set(['b', 'e', 'l', 's', 't']);

export interface ExistingProject {
  /** Name given by a project.json or package.json in the folder. */
  readonly name: string | undefined;
  readonly source: 'project.json' | 'package.json';
}

export interface AnalyzeInput {
  readonly workspaceRoot: string;
  readonly files: readonly ParsedPipelineFile[];
  /** What already stands in a folder (read by the caller), if anything. */
  readonly existingProject: (root: string) => ExistingProject | undefined;
  /** Lists the files of a folder a fan-out runs over (read by the caller); without it such a fan-out is an error. */
  readonly listFiles?: ListFiles;
  /** Param names that are secrets besides `secret()` ones (default: state/secrets.ts's pattern; null: none). */
  readonly secretParams?: RegExp | null;
}

export function at(file: string, loc: Loc): NonNullable<Diagnostic['location']> {
  return { file, line: loc.line, column: loc.column, length: loc.length };
}

export function analyzeWorkspace(input: AnalyzeInput): WorkspaceModel {
  const byRoot = new Map<string, ParsedPipelineFile[]>();
  for (const f of [...input.files].sort((a, b) => compareCodePoints(a.file, b.file))) {
    const root = dirnamePosix(f.file);
    const list = byRoot.get(root) ?? [];
    list.push(f);
    byRoot.set(root, list);
  }
  const pipelineFiles = new Map(input.files.map((f) => [f.file, f]));
  const projects: ProjectModel[] = [];
  const usedNames = new Map<string, string>(); // name → root
  for (const [root, files] of [...byRoot].sort(([a], [b]) => compareCodePoints(a, b))) {
    projects.push(analyzeProject(input, root, files, pipelineFiles, usedNames));
  }
  return { projects };
}

function analyzeProject(
  input: AnalyzeInput,
  root: string,
  files: readonly ParsedPipelineFile[],
  pipelineFiles: ReadonlyMap<string, ParsedPipelineFile>,
  usedNames: Map<string, string>,
): ProjectModel {
  const diagnostics: Diagnostic[] = files.flatMap((f) => f.diagnostics);
  const { name, displayName } = projectName(input, root, files, diagnostics, usedNames);
  const project: ProjectContext = { input, root, files, pipelineFiles, displayName };
  const modelled: StepModel[] = [];
  const fanOuts = emptyRecord<FanOutModel>();
  for (const [target, decls] of declaredSteps(files)) {
    const step = modelStep(project, target, decls);
    modelled.push(...step.steps);
    if (step.fanOut) fanOuts[target] = step.fanOut;
  }
  const steps = markCycles(modelled, fanOuts, displayName);
  const all = uniqueDiagnostics([...diagnostics, ...steps.flatMap((s) => s.errors.filter((e) => !diagnostics.includes(e)))]);
  return { root, name, displayName, pipelineFiles: files.map((f) => f.file), steps, fanOuts, params: pipelineParams(files), diagnostics: all };
}

/** What modelling one step of a project needs to know about the project. */
interface ProjectContext {
  readonly input: AnalyzeInput;
  readonly root: string;
  readonly files: readonly ParsedPipelineFile[];
  readonly pipelineFiles: ReadonlyMap<string, ParsedPipelineFile>;
  readonly displayName: string;
}

interface Declared {
  readonly file: ParsedPipelineFile;
  readonly decl: StepDeclaration;
}

/** Every declared step by target name, in code-point order; a name declared twice has two declarations. */
function declaredSteps(files: readonly ParsedPipelineFile[]): Array<[string, Declared[]]> {
  const declared = new Map<string, Declared[]>();
  for (const file of files) {
    for (const decl of file.steps) {
      const target = decl.exportedAs ?? decl.local;
      declared.set(target, [...(declared.get(target) ?? []), { file, decl }]);
    }
  }
  return [...declared].sort(([a], [b]) => compareCodePoints(a, b));
}

/** A diagnostic on one step of the project, at `loc` in `file`. */
type StepDiagnostic = (code: Diagnostic['code'], loc: Loc, message: string, hint: string, file?: string) => Diagnostic;

function stepDiagnostic(project: ProjectContext, target: string, defaultFile: string): StepDiagnostic {
  return (code, loc, message, hint, file = defaultFile) => ({
    code,
    severity: 'error',
    message,
    hint,
    location: at(file, loc),
    project: project.displayName,
    step: target,
  });
}

/** One declared step as the model's steps: itself, or (a fan-out) one step per item. */
function modelStep(project: ProjectContext, target: string, decls: readonly Declared[]): { steps: StepModel[]; fanOut?: FanOutModel } {
  const first = decls[0];
  if (!first) return { steps: [] };
  const { file, decl } = first;
  const diag = stepDiagnostic(project, target, file.file);
  const errors: Diagnostic[] = [...file.diagnostics.filter((d) => d.severity === 'error' && d.step === target), ...nameErrors(project, target, decls, diag)];
  const needs = resolveNeeds(project, file, decl, diag, errors);
  const args = resolveArgs(project, file, decl, diag, errors);
  errors.push(...collisions(decl, diag));
  const pipelineCacheOff = file.pipeline?.cache === false;
  const step: StepModel = {
    name: target,
    projectRoot: project.root,
    file: file.file,
    exportName: target,
    needs,
    args,
    params: decl.params,
    secrets: secretsOf(project.input, decl),
    cache: pipelineCacheOff ? { enabled: false } : decl.cache,
    ...(decl.version !== undefined ? { version: decl.version } : {}),
    ...(decl.description !== undefined ? { description: decl.description } : {}),
    declaration: decl,
    errors,
    ...(decl.factory ? { item: factoryItem(decl.factory.name, decl.factory.args) } : {}),
  };
  return decl.each && errors.length === 0 ? fanOutSteps(project, step, decl.each, file, diag) : { steps: [step] };
}

/** Declared with `secret()`, or named like a secret. */
function secretsOf(input: AnalyzeInput, decl: StepDeclaration): string[] {
  const pattern = input.secretParams === undefined ? secretPattern(undefined) : input.secretParams;
  const declared = decl.secrets ?? [];
  return Object.keys(decl.params).filter((name) => declared.includes(name) || (pattern?.test(name) ?? false));
}

/** A name declared twice (an error on every declaration), or one Nx reads as an alias. A step that is not exported was reported by the parser. */
function nameErrors(project: ProjectContext, target: string, decls: readonly Declared[], diag: StepDiagnostic): Diagnostic[] {
  const errors: Diagnostic[] = [];
  if (decls.length > 1) {
    const where = decls.map((d) => `${d.file.file}:${d.decl.loc.line}:${d.decl.loc.column}`).join(', ');
    for (const d of decls) {
      errors.push(
        diag(
          DiagnosticCodes.duplicateStep,
          d.decl.loc,
          `Step name \`${target}\` is declared ${decls.length} times in project ${project.displayName} (${where}).`,
          'Step names are target names and must be unique within a project: rename all but one.',
          d.file.file,
        ),
      );
    }
  }
  const decl = decls[0]?.decl;
  if (decl && OBJECT_PROTOTYPE_NAMES.has(target)) {
    errors.push(
      diag(
        DiagnosticCodes.reservedName,
        decl.loc,
        `Step name \`${target}\` cannot be a target: it is a property of Object.prototype, and Nx (which keeps targets in plain objects) cannot run a target of that name.`,
        'Rename the step (its export). It has no target until then; the other steps are not affected.',
      ),
    );
  }
  if (decl && RESERVED_STEP_NAMES.has(target)) {
    errors.push(
      diag(
        DiagnosticCodes.reservedName,
        decl.loc,
        `Step name \`${target}\` cannot be run: Nx reads \`nx run ${project.displayName}:${target}\` as an alias of another target.`,
        'Use a name of two or more characters.',
      ),
    );
  }
  return errors;
}

function resolveNeeds(
  project: ProjectContext,
  file: ParsedPipelineFile,
  decl: StepDeclaration,
  diag: StepDiagnostic,
  errors: Diagnostic[],
): Record<string, string> {
  const needs: Record<string, string> = {};
  for (const [inputName, need] of Object.entries(decl.needs)) {
    const resolved = resolveNeed(file, need.local, project.files, project.pipelineFiles);
    if (resolved.ok && OBJECT_PROTOTYPE_NAMES.has(resolved.target)) {
      const message = `\`needs.${inputName}\` names step \`${resolved.target}\`, which cannot be a target (its name is a property of Object.prototype).`;
      errors.push(diag(DiagnosticCodes.reservedName, need.loc, message, `Rename step \`${resolved.target}\`, and this need with it.`));
    } else if (resolved.ok) needs[inputName] = resolved.target;
    else errors.push(diag(resolved.code, need.loc, resolved.message, resolved.hint));
  }
  return needs;
}

function resolveArgs(
  project: ProjectContext,
  file: ParsedPipelineFile,
  decl: StepDeclaration,
  diag: StepDiagnostic,
  errors: Diagnostic[],
): Record<string, ResolvedArg> {
  const args: Record<string, ResolvedArg> = {};
  for (const [argName, arg] of Object.entries(decl.args)) {
    const r = resolveArg(project.input.workspaceRoot, file.file, arg);
    if (r.ok) args[argName] = r.arg;
    else errors.push({ ...diag(DiagnosticCodes.pathEscapes, arg.loc, r.message, r.hint), argument: argName });
  }
  return args;
}

/** Args, needs, params and the fan-out's item reach the step function in one object: their names must differ. */
function collisions(decl: StepDeclaration, diag: StepDiagnostic): Diagnostic[] {
  const errors: Diagnostic[] = [];
  const seen = new Map<string, string>();
  const each = decl.each ? [decl.each.input] : [];
  for (const [kind, names] of [
    ['args', Object.keys(decl.args)],
    ['needs', Object.keys(decl.needs)],
    ['params', Object.keys(decl.params)],
    ['each', each],
  ] as const) {
    for (const n of names) {
      const other = seen.get(n);
      if (other)
        errors.push(
          diag(
            DiagnosticCodes.nameCollision,
            decl.loc,
            `\`${n}\` is declared both in ${other} and in ${kind}; the step function receives them in one object.`,
            'Rename one of them.',
          ),
        );
      seen.set(n, kind);
    }
  }
  return errors;
}

/** A fan-out step as one step per item, or as itself with the error that stops it. */
function fanOutSteps(
  project: ProjectContext,
  step: StepModel,
  each: EachDeclaration,
  file: ParsedPipelineFile,
  diag: StepDiagnostic,
): { steps: StepModel[]; fanOut?: FanOutModel } {
  const workspaceRoot = project.input.workspaceRoot;
  const dir = each.source.kind === 'dir' ? resolveArg(workspaceRoot, file.file, { ...each.source, kind: 'dir', loc: each.loc }) : undefined;
  if (dir && !dir.ok) return { steps: [{ ...step, errors: [...step.errors, diag(DiagnosticCodes.pathEscapes, each.loc, dir.message, dir.hint)] }] };
  const listFiles = project.input.listFiles;
  const expanded = expandFanOut({
    workspaceRoot,
    base: step,
    each,
    ...(dir?.ok && dir.arg.kind === 'dir' ? { dir: dir.arg.location } : {}),
    ...(listFiles ? { listFiles } : {}),
  });
  if (!expanded.ok) return { steps: [{ ...step, errors: [...step.errors, { ...expanded.error, project: project.displayName }] }] };
  // Each item its own list: a cycle marks every item, and the project's list reports it once.
  return { steps: expanded.steps.map((item) => ({ ...item, errors: [...item.errors] })), fanOut: expanded.fanOut };
}

/** The first declaration of each shared param wins (pipeline files of one project should agree). */
function pipelineParams(files: readonly ParsedPipelineFile[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const f of files) for (const [k, v] of Object.entries(f.pipeline?.params ?? {})) if (!(k in out)) out[k] = v;
  return out;
}

/** One diagnostic per problem, even when many items of a fan-out share it. */
function uniqueDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const id = `${d.code}\0${d.message}\0${d.location?.file}:${d.location?.line}:${d.location?.column}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
