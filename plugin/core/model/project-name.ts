/**
 * The name of a pipeline folder's project: the name an existing project.json or package.json gives, else
 * the pipeline's `name`, else the folder's. Names are checked against each other (two folders claiming
 * one name) and against what Nx can use: Nx 24 keeps projects in plain objects and fails every command
 * when a project is named like a property of Object.prototype (`constructor`, `toString`), so such a
 * name is replaced, with a warning.
 */
import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import { OBJECT_PROTOTYPE_NAMES } from '../util/own';
import { toPosix } from '../util/paths';
import type { AnalyzeInput } from './analyze';
import { at } from './analyze';
import type { ParsedPipelineFile } from './declarations';

export interface ProjectNaming {
  /** The name nx-steps gives, or undefined when an existing project.json names it. */
  readonly name: string | undefined;
  readonly displayName: string;
}

export function projectName(
  input: AnalyzeInput,
  root: string,
  files: readonly ParsedPipelineFile[],
  diagnostics: Diagnostic[],
  usedNames: Map<string, string>,
): ProjectNaming {
  const named = files.filter((f) => f.pipeline?.name !== undefined);
  const distinct = [...new Set(named.map((f) => f.pipeline?.name))];
  diagnostics.push(...conflictingNames(root, named, distinct[0]));
  const existing = existingName(input, root, named[0], diagnostics);
  if (existing) return existing;
  const located = (f: ParsedPipelineFile | undefined): Pick<Diagnostic, 'location'> => (f?.pipeline ? { location: at(f.file, f.pipeline.loc) } : {});
  let wanted = distinct[0] ?? (root === '.' ? path.basename(input.workspaceRoot) : path.posix.basename(root));
  if (OBJECT_PROTOTYPE_NAMES.has(wanted)) {
    const replaced = `${wanted}-pipeline`;
    diagnostics.push({
      code: DiagnosticCodes.pipelineNameConflict,
      severity: 'warning',
      message: `Nx cannot use "${wanted}" as a project name (it is a property of Object.prototype, and Nx 24 fails every command on such a project); this project is named "${replaced}" instead.`,
      hint: "Give the pipeline another name: pipeline({ name: '...' }).",
      ...located(named[0]),
    });
    wanted = replaced;
  }
  const owner = usedNames.get(wanted);
  if (owner !== undefined && owner !== root) {
    const fallback = toPosix(root).replace(/\//g, '-');
    diagnostics.push({
      code: DiagnosticCodes.pipelineNameConflict,
      severity: 'warning',
      message: `Project name "${wanted}" is already used by the pipeline in ${owner}; this project is named "${fallback}" instead.`,
      hint: "Give each pipeline folder its own name: pipeline({ name: '...' }).",
      ...located(named[0]),
    });
    usedNames.set(fallback, root);
    return { name: fallback, displayName: fallback };
  }
  usedNames.set(wanted, root);
  return { name: wanted, displayName: wanted };
}

/** Pipeline files of one folder that give their project different names: the first one wins. */
function conflictingNames(root: string, named: readonly ParsedPipelineFile[], keep: string | undefined): Diagnostic[] {
  return named.slice(1).flatMap((f): Diagnostic[] =>
    f.pipeline && f.pipeline.name !== keep
      ? [
          {
            code: DiagnosticCodes.pipelineNameConflict,
            severity: 'warning',
            message: `Pipeline files in ${root} give the project different names ("${keep}" and "${f.pipeline.name}"); using "${keep}".`,
            hint: 'Pipeline files in one folder form one project: give them the same name, or leave the name out of all but one.',
            location: at(f.file, f.pipeline.loc),
          },
        ]
      : [],
  );
}

/** The project that already stands in the folder (a project.json or a named package.json), if any. */
function existingName(input: AnalyzeInput, root: string, declared: ParsedPipelineFile | undefined, diagnostics: Diagnostic[]): ProjectNaming | undefined {
  const existing = input.existingProject(root);
  if (!existing) return undefined;
  const given = existing.name;
  if (given && declared?.pipeline?.name !== undefined && declared.pipeline.name !== given) {
    diagnostics.push({
      code: DiagnosticCodes.pipelineNameConflict,
      severity: 'warning',
      message: `The steps join project "${given}" (named by ${root === '.' ? '' : `${root}/`}${existing.source}); pipeline name "${declared.pipeline.name}" is not used.`,
      hint: `A pipeline file joins the project that already stands in its folder. Remove the name from pipeline({ ... }), or run the steps as ${given}:<step>.`,
      location: at(declared.file, declared.pipeline.loc),
    });
  }
  if (existing.source === 'project.json') return { name: undefined, displayName: existing.name ?? root };
  return existing.name ? { name: existing.name, displayName: existing.name } : undefined;
}
