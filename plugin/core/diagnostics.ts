/**
 * Diagnostics: every problem a user can cause, with the file, line and column
 * that caused it and what to do about it. Discovery, analysis and the executor
 * all report through this one type, so the text a user sees is the same
 * whether it surfaces in `nx show projects` or in `nx run`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** 1-based line and column, as editors show them. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Characters to underline in the code frame. */
  readonly length?: number;
}

/**
 * Stable codes, so that docs, tests and users can refer to a problem by name.
 * 1xx: declarations (discovery and analysis), 2xx: run time, 3xx: configuration.
 */
export const DiagnosticCodes = {
  syntax: 'NXS100',
  notStatic: 'NXS101',
  badOption: 'NXS102',
  unknownNeed: 'NXS103',
  duplicateStep: 'NXS104',
  cycle: 'NXS105',
  badCacheStrategy: 'NXS106',
  unsupportedDeclaration: 'NXS107',
  reservedName: 'NXS108',
  pathEscapes: 'NXS109',
  nameCollision: 'NXS110',
  needOutsideProject: 'NXS111',
  pipelineNameConflict: 'NXS112',
  badTtl: 'NXS113',
  noSteps: 'NXS114',
  badFanOut: 'NXS115',
  notAStep: 'NXS116',
  fanOutDir: 'NXS117',
  missingInput: 'NXS201',
  badParamOverride: 'NXS202',
  missingUpstream: 'NXS203',
  stepThrew: 'NXS204',
  unstorableResult: 'NXS205',
  stepNotFound: 'NXS206',
  corruptOutput: 'NXS207',
  inputChanged: 'NXS208',
  moduleLoadFailed: 'NXS209',
  keyFailed: 'NXS210',
  storageFailed: 'NXS211',
  arrowMissing: 'NXS212',
  unknownResultType: 'NXS213',
  changedDuringRun: 'NXS214',
  badPluginOptions: 'NXS301',
} as const;

export type DiagnosticCode = (typeof DiagnosticCodes)[keyof typeof DiagnosticCodes];

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** What to do about it, in one or two sentences. */
  readonly hint?: string;
  readonly location?: SourceLocation;
  /** Context the message alone may not carry. */
  readonly project?: string;
  readonly step?: string;
  readonly argument?: string;
}

export function isError(d: Diagnostic): boolean {
  return d.severity === 'error';
}

/**
 * Renders one diagnostic the way compilers do:
 *
 *   etl/etl.pipeline.ts:12:17 - error NXS101: `params.lr` must be a literal value.
 *
 *     12 |   params: { lr: getLr() },
 *        |                 ^^^^^^^
 *
 *   Write the value inline, or override it for one run: nx run etl:train --lr=0.1
 *
 * `source` is the text of `location.file`; without it there is no code frame.
 */
export function formatDiagnostic(d: Diagnostic, source?: string): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.column} - ` : '';
  const context = [
    d.project && `project ${d.project}`,
    d.step && `step ${d.step}`,
    d.argument && `argument ${d.argument}`,
  ].filter(Boolean);
  const head = `${where}${d.severity} ${d.code}: ${d.message}`;
  const lines = [context.length && !d.location ? `${head} (${context.join(', ')})` : head];
  const frame = d.location && source !== undefined ? codeFrame(source, d.location) : undefined;
  if (frame) lines.push('', frame);
  if (d.hint) lines.push('', `  ${d.hint}`);
  return lines.join('\n');
}

function codeFrame(source: string, loc: SourceLocation): string | undefined {
  const lines = source.split(/\r?\n/);
  const text = lines[loc.line - 1];
  if (text === undefined) return undefined;
  const gutter = String(loc.line).length;
  const length = Math.max(1, Math.min(loc.length ?? 1, text.length - loc.column + 1));
  const pad = ' '.repeat(gutter);
  return [
    `  ${String(loc.line)} | ${text}`,
    `  ${pad} | ${' '.repeat(Math.max(0, loc.column - 1))}${'^'.repeat(length)}`,
  ].join('\n');
}

/** Several diagnostics, each with its frame when the reader can supply the source. */
export function formatDiagnostics(ds: readonly Diagnostic[], readSource: (file: string) => string | undefined): string {
  return ds.map((d) => formatDiagnostic(d, d.location ? readSource(d.location.file) : undefined)).join('\n\n');
}

/**
 * Diagnostics whose locations are relative to `workspaceRoot`, each with its
 * code frame. A file that cannot be read (deleted since) costs only its frame.
 */
export function formatWorkspaceDiagnostics(workspaceRoot: string, ds: readonly Diagnostic[]): string {
  return formatDiagnostics(ds, (file) => {
    try {
      return fs.readFileSync(path.join(workspaceRoot, file), 'utf8');
    } catch {
      return undefined;
    }
  });
}
