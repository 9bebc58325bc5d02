/**
 * What a declaration names, resolved against the project: a need's upstream step (through imports between
 * the project's pipeline files) and an argument's path (inside the workspace, or declared external).
 */
import * as path from 'node:path';
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import { own } from '../util/own';
import { dirnamePosix, escapesRoot, joinPosix, toPosix } from '../util/paths';
import type { ArgDeclaration, ParsedPipelineFile } from './declarations';
import type { PathLocation, ResolvedArg } from './project-model';

const IMPORT_EXTENSIONS = ['', '.ts', '.tsx', '.mts', '.cts', '/index.ts', '/index.tsx'];

type NeedResolution =
  { readonly ok: true; readonly target: string } | { readonly ok: false; readonly code: Diagnostic['code']; readonly message: string; readonly hint: string };

export function resolveNeed(
  file: ParsedPipelineFile,
  local: string,
  projectFiles: readonly ParsedPipelineFile[],
  pipelineFiles: ReadonlyMap<string, ParsedPipelineFile>,
): NeedResolution {
  const inFile = file.steps.find((s) => s.local === local);
  if (inFile) return { ok: true, target: inFile.exportedAs ?? inFile.local };
  const binding = own(file.module.imports, local);
  if (binding && binding.specifier.startsWith('.')) {
    const base = joinPosix(dirnamePosix(file.file), binding.specifier.replace(/\.[cm]?js$/, ''));
    const target = IMPORT_EXTENSIONS.map((ext) => base + ext).find((candidate) => pipelineFiles.has(candidate));
    const other = target ? pipelineFiles.get(target) : undefined;
    if (!other) {
      return {
        ok: false,
        code: DiagnosticCodes.unknownNeed,
        message: `\`${local}\` is imported from '${binding.specifier}', which is not a pipeline file.`,
        hint: 'A need must be a step declared in a pipeline file of the same project.',
      };
    }
    if (!projectFiles.includes(other)) {
      return {
        ok: false,
        code: DiagnosticCodes.needOutsideProject,
        message: `\`${local}\` is a step of another project (${dirnamePosix(other.file)}); a step can only need steps of its own project.`,
        hint: "Move the pipeline files into one folder, or read the other project's output as a file(...) argument.",
      };
    }
    const step = other.steps.find((s) => s.exportedAs === binding.imported);
    if (step) return { ok: true, target: step.exportedAs ?? step.local };
    return {
      ok: false,
      code: DiagnosticCodes.unknownNeed,
      message: `${other.file} has no exported step named \`${binding.imported}\`.`,
      hint: `Steps of ${other.file}: ${other.steps.map((s) => s.exportedAs ?? s.local).join(', ') || '(none)'}.`,
    };
  }
  const candidates = projectFiles.flatMap((f) => f.steps.map((s) => s.exportedAs ?? s.local));
  return {
    ok: false,
    code: DiagnosticCodes.unknownNeed,
    message: `Unknown need \`${local}\`: no step of that name in ${file.file}${binding ? ` (it is imported from '${binding.specifier}')` : ''}.`,
    hint: candidates.length
      ? `Steps of this project: ${candidates.join(', ')}. A step of another pipeline file must be imported from it.`
      : 'Declare the upstream step first: export const name = step(...).',
  };
}

type ArgResolution = { readonly ok: true; readonly arg: ResolvedArg } | { readonly ok: false; readonly message: string; readonly hint: string };

export function resolveArg(workspaceRoot: string, file: string, arg: ArgDeclaration): ArgResolution {
  if (arg.kind === 'value') return { ok: true, arg: { kind: 'value', value: arg.value } };
  let location: PathLocation;
  if (path.isAbsolute(arg.path)) {
    const rel = toPosix(path.relative(workspaceRoot, arg.path));
    location = escapesRoot(rel) || rel === '' ? { scope: 'external', path: path.resolve(arg.path) } : { scope: 'workspace', path: rel };
  } else {
    const rel = joinPosix(dirnamePosix(file), toPosix(arg.path));
    if (escapesRoot(rel)) {
      if (!arg.external) {
        return {
          ok: false,
          message: `${arg.kind}('${arg.path}') leaves the workspace (it resolves to ${path.resolve(workspaceRoot, rel)}).`,
          hint: `If that is intended, say so: ${arg.kind}('${arg.path}', { external: true }). Paths are relative to the pipeline file's folder.`,
        };
      }
      location = { scope: 'external', path: path.resolve(workspaceRoot, rel) };
    } else {
      location = { scope: 'workspace', path: rel };
    }
  }
  return {
    ok: true,
    arg:
      arg.kind === 'file'
        ? { kind: 'file', location, declared: arg.path }
        : { kind: 'dir', location, declared: arg.path, include: arg.include, exclude: arg.exclude },
  };
}
