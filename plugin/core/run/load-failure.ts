/**
 * What a pipeline module that failed to load is reported as: the error's own
 * stack, and the place in the pipeline file where it happened (the first
 * stack frame in that file: a missing import points at its line, not 1:1).
 */
import * as path from 'node:path';
import type { Diagnostic, SourceLocation } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';

export interface LoadFailure {
  readonly stack: string;
  readonly location: SourceLocation;
}

export function describeLoadFailure(error: unknown, absFile: string, relFile: string): LoadFailure {
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { stack, location: { file: relFile, ...(frameIn(stack, absFile) ?? { line: 1, column: 1 }) } };
}

/** Line and column of the first stack frame in `absFile`, if any. */
export function frameIn(stack: string, absFile: string): { line: number; column: number } | undefined {
  for (const line of stack.split('\n')) {
    const at = line.indexOf(`${absFile}:`);
    if (at < 0 || !/^\s*at /.test(line)) continue;
    const m = /^:(\d+):(\d+)/.exec(line.slice(at + absFile.length));
    if (m) return { line: Number(m[1]), column: Number(m[2]) };
  }
  return undefined;
}

/**
 * The NXS209 diagnostic for a pipeline module of `step` (at `relFile`) that
 * failed to load; `purpose` says what loading it was for.
 */
export function moduleLoadFailed(
  error: unknown,
  at: { readonly workspaceRoot: string; readonly project: string; readonly step: string; readonly relFile: string },
  purpose = '',
): Diagnostic {
  const failure = describeLoadFailure(error, path.join(at.workspaceRoot, at.relFile), at.relFile);
  return {
    code: DiagnosticCodes.moduleLoadFailed,
    severity: 'error',
    message: `Loading ${at.relFile}${purpose} failed:\n\n${failure.stack}`,
    hint: 'The pipeline module (or something it imports) threw while loading, or an import did not resolve. Nothing was cached.',
    project: at.project,
    step: at.step,
    location: failure.location,
  };
}
