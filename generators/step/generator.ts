/**
 * `nx g nx-steps:step <name> --pipeline <project> [--needs a,b]
 * [--cache input_hash|code_hash|false] [--file <pipeline file>]`: adds a
 * typed step to a pipeline file of an existing pipeline project.
 *
 * Recipe: normalize options against the project as the static reader sees
 * it (every check before anything is written) → edit the pipeline file →
 * formatFiles; the lock follows once the file is on disk (shared/lock.ts).
 */
import * as path from 'node:path';
import type { GeneratorCallback, Tree } from '@nx/devkit';
import { formatFiles } from '@nx/devkit';
import type { ParsedPipelineFile } from '../../plugin/core/model/declarations';
import { RESERVED_STEP_NAMES } from '../../plugin/core/model/analyze';
import type { ProjectModel, StepModel } from '../../plugin/core/model/project-model';
import { DiagnosticCodes } from '../../plugin/core/diagnostics';
import { parsePipelineFile } from '../../plugin/core/discovery/parse-pipeline';
import { topLevelNames } from '../../plugin/core/code/module-index';
import type { Result } from '../../plugin/core/util/result';
import { ok } from '../../plugin/core/util/result';
import { dirnamePosix, joinPosix, toPosix } from '../../plugin/core/util/paths';
import { typescript } from '../../plugin/core/util/typescript';
import type { GeneratorFailure } from '../shared/failure';
import { failure, valueOrThrow } from '../shared/failure';
import { updateLockAfterFlush } from '../shared/lock';
import type { PipelineWorkspace } from '../shared/workspace';
import { findProject, matchesPipelineGlob, readPipelines } from '../shared/workspace';
import type { StepGeneratorSchema } from './schema';
import type { NamedImport, NeedRef, NewStep } from './source-edit';
import { addStep, stepAccess } from './source-edit';

const GENERATOR = 'nx-steps:step';
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export interface NormalizedStepOptions {
  readonly project: ProjectModel;
  /** Workspace-relative path of the pipeline file that gets the step. */
  readonly file: string;
  /** Its current text ('' when it is created). */
  readonly text: string;
  readonly parsed: ParsedPipelineFile;
  readonly step: NewStep;
  readonly imports: readonly NamedImport[];
  readonly skipFormat: boolean;
}

/** Words JavaScript reserves: `export const <word> = ...` would not parse. */
function isReservedWord(name: string): boolean {
  const ts = typescript();
  const kind = ts.identifierToKeywordKind(ts.factory.createIdentifier(name));
  if (kind === undefined) return false;
  return (
    (kind >= ts.SyntaxKind.FirstReservedWord && kind <= ts.SyntaxKind.LastReservedWord) ||
    (kind >= ts.SyntaxKind.FirstFutureReservedWord && kind <= ts.SyntaxKind.LastFutureReservedWord) ||
    name === 'await' ||
    name === 'arguments' ||
    name === 'eval'
  );
}

function checkName(name: string): Result<string, GeneratorFailure> {
  if (!IDENTIFIER.test(name) || isReservedWord(name)) {
    return failure(
      'invalid-name',
      `"${name}" is not a valid step name: it becomes \`export const ${name} = step(...)\` and the target ${name}.`,
      'Use a JavaScript identifier that is not a reserved word, e.g. train_model.',
    );
  }
  if (RESERVED_STEP_NAMES.has(name)) {
    return failure(
      'invalid-name',
      `"${name}" cannot be a step name: \`nx run <project>:${name}\` is an alias of another target.`,
      'Use a name of two or more characters.',
    );
  }
  return ok(name);
}

function normalizeNeeds(raw: StepGeneratorSchema['needs']): string[] {
  const list = raw === undefined ? [] : typeof raw === 'string' ? [raw] : [...raw];
  return [
    ...new Set(
      list
        .flatMap((n) => n.split(','))
        .map((n) => n.trim())
        .filter((n) => n.length > 0),
    ),
  ];
}

function normalizeCache(raw: StepGeneratorSchema['cache'] | boolean): Result<NewStep['cache'], GeneratorFailure> {
  if (raw === undefined) return ok(undefined);
  if (raw === false || raw === 'false') return ok(false);
  if (raw === 'code_hash' || raw === 'input_hash') return ok(raw);
  return failure(
    'invalid-option',
    `--cache ${String(raw)} is not a cache strategy.`,
    'Use code_hash (re-run when code or inputs change; the default), input_hash (only inputs), or false (always run).',
  );
}

function stepsOf(project: ProjectModel): string {
  return project.steps.map((s) => s.name).join(', ') || '(none)';
}

/** The pipeline file to edit: --file (a file in the project's folder) or the project's only pipeline file. */
function chooseFile(ws: PipelineWorkspace, project: ProjectModel, raw: string | undefined): Result<string, GeneratorFailure> {
  if (raw === undefined || raw.trim() === '') {
    const [only, ...more] = project.pipelineFiles;
    if (only !== undefined && more.length === 0) return ok(only);
    return failure(
      'invalid-option',
      `Project ${project.displayName} has ${project.pipelineFiles.length} pipeline files (${project.pipelineFiles.join(', ')}).`,
      'Say which one gets the step: --file <name>.pipeline.ts.',
    );
  }
  const given = toPosix(raw.trim()).replace(/^\.\//, '');
  const file = project.root !== '.' && given.startsWith(`${project.root}/`) ? given : joinPosix(project.root, given);
  if (dirnamePosix(file) !== project.root) {
    return failure(
      'file-outside-project',
      `${file} is not in ${project.displayName}'s folder (${project.root}): the folder of a pipeline file is its project.`,
      `Pass a file name in ${project.root}, e.g. --file ${project.displayName}.pipeline.ts.`,
    );
  }
  if (!matchesPipelineGlob(ws.pattern, file)) {
    return failure(
      'not-a-pipeline-file',
      `${file} is not a pipeline file: nx-steps/plugin finds pipeline files with the glob "${ws.pattern}" (nx.json).`,
      'Name the file so the glob matches it, e.g. --file train.pipeline.ts.',
    );
  }
  return ok(file);
}

/** Each need as the new step writes it; upstream steps of other pipeline files are imported. */
function resolveNeeds(
  project: ProjectModel,
  file: string,
  parsed: ParsedPipelineFile,
  names: readonly string[],
): Result<{ needs: NeedRef[]; imports: NamedImport[] }, GeneratorFailure> {
  const taken = topLevelNames(parsed.module);
  // `step` itself is about to be imported into a file that does not import it yet.
  if (stepAccess(parsed.module) === undefined) taken.add('step');
  const needs: NeedRef[] = [];
  const imports: NamedImport[] = [];
  for (const name of names) {
    const upstream: StepModel | undefined = project.steps.find((s) => s.name === name);
    if (!upstream) {
      return failure(
        'unknown-need',
        `Unknown need "${name}": project ${project.displayName} has no step of that name.`,
        `Steps of ${project.displayName}: ${stepsOf(project)}. Add it first with nx g nx-steps:step ${name} --pipeline ${project.displayName}.`,
      );
    }
    if (upstream.file === file) {
      needs.push({ input: name, local: upstream.declaration.local });
      continue;
    }
    const specifier = relativeImport(file, upstream.file);
    const existing = Object.entries(parsed.module.imports).find(
      ([, b]) => !b.typeOnly && b.imported === upstream.exportName && b.specifier.replace(/\.[cm]?[jt]s$/, '') === specifier,
    );
    if (existing) {
      needs.push({ input: name, local: existing[0] });
      continue;
    }
    if (taken.has(name)) {
      return failure(
        'name-taken',
        `${file} already declares or imports "${name}", so it cannot import the step ${name} of ${upstream.file}.`,
        'Rename one of them.',
      );
    }
    needs.push({ input: name, local: name });
    imports.push({ name: upstream.exportName, specifier });
  }
  return ok({ needs, imports });
}

/** './other.pipeline': how one pipeline file imports another (no extension, as tsx and the static reader resolve it). */
function relativeImport(from: string, to: string): string {
  const rel = path.posix.relative(dirnamePosix(from), to).replace(/\.ts$/, '');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** The pipeline project the new step joins, which must not have a step of that name yet. */
function projectForStep(ws: PipelineWorkspace, projectName: string, stepName: string): Result<ProjectModel, GeneratorFailure> {
  const project = findProject(ws, projectName);
  if (!project) {
    const known = ws.model.projects.map((p) => p.displayName);
    return failure(
      'no-pipeline',
      `There is no pipeline project named "${projectName}".`,
      known.length > 0
        ? `Pipeline projects: ${known.join(', ')}. To start a new one: nx g nx-steps:pipeline ${projectName || '<name>'}.`
        : `This workspace has no pipelines yet. Create one: nx g nx-steps:pipeline ${projectName || '<name>'}.`,
    );
  }
  const clash = project.steps.find((s) => s.name === stepName);
  if (clash) {
    const at = `${clash.file}:${clash.declaration.loc.line}:${clash.declaration.loc.column}`;
    return failure(
      'duplicate-step',
      `Project ${project.displayName} already has a step named ${stepName} (${at}).`,
      'Step names are target names and unique within a project: choose another name.',
    );
  }
  return ok(project);
}

export async function normalizeOptions(tree: Tree, options: StepGeneratorSchema): Promise<Result<NormalizedStepOptions, GeneratorFailure>> {
  const name = checkName((options.name ?? '').trim());
  if (!name.ok) return name;
  const cache = normalizeCache(options.cache);
  if (!cache.ok) return cache;

  const ws = await readPipelines(tree);
  const found = projectForStep(ws, (options.pipeline ?? '').trim(), name.value);
  if (!found.ok) return found;
  const project = found.value;

  const file = chooseFile(ws, project, options.file);
  if (!file.ok) return file;
  const text = tree.read(file.value, 'utf-8') ?? '';
  const parsed = ws.files.find((f) => f.file === file.value) ?? parsePipelineFile(file.value, text);
  const syntax = parsed.diagnostics.find((d) => d.code === DiagnosticCodes.syntax);
  if (syntax) {
    const where = syntax.location ? `${syntax.location.file}:${syntax.location.line}:${syntax.location.column}` : file.value;
    return failure('unreadable-file', `${where}: ${syntax.message}`, 'Fix the pipeline file first; the step generator only edits files it can read.');
  }
  const taken = topLevelNames(parsed.module);
  if (taken.has(name.value)) {
    return failure('name-taken', `${file.value} already declares or imports "${name.value}".`, 'Choose another step name.');
  }
  if (stepAccess(parsed.module) === undefined && taken.has('step')) {
    return failure(
      'name-taken',
      `${file.value} uses the name "step" for something other than nx-steps' step(), which the new step needs.`,
      "Import nx-steps' under another name first: import { step as nxStep } from 'nx-steps'.",
    );
  }

  const resolved = resolveNeeds(project, file.value, parsed, normalizeNeeds(options.needs));
  if (!resolved.ok) return resolved;
  return ok({
    project,
    file: file.value,
    text,
    parsed,
    step: { name: name.value, needs: resolved.value.needs, ...(cache.value !== undefined ? { cache: cache.value } : {}) },
    imports: resolved.value.imports,
    skipFormat: options.skipFormat === true,
  });
}

export async function stepGenerator(tree: Tree, options: StepGeneratorSchema): Promise<GeneratorCallback> {
  const o = valueOrThrow(GENERATOR, await normalizeOptions(tree, options));
  const text = addStep({
    text: o.text,
    file: o.file,
    module: o.parsed.module,
    stepLocals: o.parsed.steps.map((s) => s.local),
    step: o.step,
    imports: o.imports,
  });
  // Our own invariant: the static reader must see the new step as written, without errors.
  const reread = parsePipelineFile(o.file, text);
  const problems = reread.diagnostics.filter((d) => d.severity === 'error' && (d.step === o.step.name || d.code === DiagnosticCodes.syntax));
  if (!reread.steps.some((s) => s.exportedAs === o.step.name) || problems.length > 0) {
    throw new Error(
      `nx-steps internal error: the step generator wrote code the static reader rejects (${problems.map((d) => d.message).join('; ') || 'step not found'}). Please report this.`,
    );
  }
  tree.write(o.file, text);
  if (!o.skipFormat) await formatFiles(tree);
  return updateLockAfterFlush(tree, await readPipelines(tree));
}

export default stepGenerator;
