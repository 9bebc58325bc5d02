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
 * 1xx: declarations (discovery and analysis), 2xx: run time, 3xx: configuration,
 * 9xx: nx-steps itself. Each code means one thing, written in CODE_MEANINGS
 * (docs/architecture.md's table of codes is generated from it).
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
  runFailed: 'NXS215',
  badPluginOptions: 'NXS301',
  internal: 'NXS900',
} as const;

export type DiagnosticCode = (typeof DiagnosticCodes)[keyof typeof DiagnosticCodes];

/** What each code means, one sentence each. A new code does not compile without its line here. */
export const CODE_MEANINGS: { readonly [C in DiagnosticCode]: string } = {
  NXS100: 'A pipeline file cannot be parsed (a syntax error) or read.',
  NXS101: 'A declaration is computed where nx-steps needs a literal it can read without running code.',
  NXS102: 'An option of `pipeline(...)`, `step(...)`, `file(...)` or `dir(...)` is unknown or has the wrong type.',
  NXS103: 'A step needs a step that does not exist.',
  NXS104: 'Two steps of a project have the same name.',
  NXS105: 'Steps need each other in a cycle.',
  NXS106: "A step's `cache.strategy` is not one nx-steps knows.",
  NXS107: 'A declaration has a form nx-steps cannot read (a step function neither inline nor named, two declarations under one name).',
  NXS108:
    'A step name Nx cannot run: `nx run` reads it as an alias of another target (`build`, `e`, `l`, `s`, `t`), or it is a property of Object.prototype (`constructor`, `toString`, ...).',
  NXS109: 'A file or folder argument leaves the workspace.',
  NXS110: 'Two names the step function receives in one object collide (an argument, a need, a param).',
  NXS111: 'A step needs a step of another project.',
  NXS112: 'Two pipeline files of one folder, or two folders, claim the same pipeline name.',
  NXS113: 'A `cache.ttl` is not a duration nx-steps can read.',
  NXS114: 'A pipeline file declares no steps.',
  NXS115: "A fan-out's `each` cannot be one (two inputs, duplicate item keys, a bad range, too many items).",
  NXS116: 'A `step(...)` call or factory call would make no target (in a loop, a callback, with a computed argument).',
  NXS117: 'The folder a fan-out runs over cannot be listed when the project graph is built.',
  NXS201: 'A file or folder argument is missing or unreadable when the step runs.',
  NXS202: 'A `--param` override has the wrong type, or no step of the run declares it.',
  NXS203: "An upstream step's result is missing when the step runs.",
  NXS204: 'The step function threw (or its promise rejected).',
  NXS205: "The step's result holds a value nx-steps cannot store (a function, an unregistered class instance, a cycle).",
  NXS206: 'The step named is not found (not declared, or the module does not export it when it runs).',
  NXS207: 'A stored result failed verification (corrupt or altered); it is recomputed.',
  NXS208: 'An argument changed while it was being hashed.',
  NXS209: 'The pipeline module, or a module it imports, threw while loading.',
  NXS210: 'The custom cache key (`cache.key`) threw or returned something unusable.',
  NXS211: 'The file system refused while the result was stored or read (disk full, permissions).',
  NXS212: 'A result holds a value of an optional data library (an Arrow Table, a polars DataFrame, a tfjs Tensor...) that cannot be loaded.',
  NXS213: 'A result holds a registered type this process did not register.',
  NXS214: 'The code or data of a step changed after Nx computed its cache key.',
  NXS215: '`loadResult` or `runPipeline` ran `nx run` and it failed (its output follows).',
  NXS301: "The configuration of nx-steps is wrong: the plugin's options in nx.json, or no Nx workspace where one is needed.",
  NXS900: 'An internal error of nx-steps: a bug, to be reported with the stack trace.',
};

/**
 * A diagnostic carried by an exception, for the few places an API gives us no other way out: a hook of Nx
 * that must stop (bad plugin options), a function users call. Its message is the formatted diagnostic.
 */
export class DiagnosticError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(formatDiagnostic(diagnostic));
    this.name = 'DiagnosticError';
  }
}

/**
 * The one conversion of a stray exception (a broken invariant, a bug of ours) into a failure value, used by
 * every entry point's boundary (the executor, the batch executor, the CLI, the plugin's graph construction).
 */
export function internalError(e: unknown, context: { readonly project?: string; readonly step?: string; readonly location?: SourceLocation } = {}): Diagnostic {
  const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return {
    code: DiagnosticCodes.internal,
    severity: 'error',
    message: `nx-steps internal error: ${detail}`,
    hint: 'Please report it, with the command and this message.',
    ...context,
  };
}

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
  const context = [d.project && `project ${d.project}`, d.step && `step ${d.step}`, d.argument && `argument ${d.argument}`].filter(Boolean);
  const head = `${where}${d.severity} ${d.code}: ${d.message}`;
  const lines = [context.length && !d.location ? `${head} (${context.join(', ')})` : head];
  const frame = d.location && source !== undefined ? codeFrame(source, d.location) : undefined;
  if (frame) lines.push('', frame);
  if (d.hint) lines.push('', `  ${d.hint}`);
  return lines.join('\n');
}

/** A code frame shows at most this much of a line (a minified or generated file has lines of megabytes). */
const FRAME_WIDTH = 160;

function codeFrame(source: string, loc: SourceLocation): string | undefined {
  const text = lineOf(source, loc.line);
  if (text === undefined) return undefined;
  const gutter = String(loc.line).length;
  // The part of the line around the column, marked with … where it is cut.
  const start = text.length <= FRAME_WIDTH ? 0 : Math.max(0, Math.min(loc.column - 1 - FRAME_WIDTH / 4, text.length - FRAME_WIDTH));
  const end = Math.min(text.length, start + FRAME_WIDTH);
  const shown = `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
  const column = loc.column - start + (start > 0 ? 1 : 0);
  const length = Math.max(1, Math.min(loc.length ?? 1, end - (loc.column - 1)));
  const pad = ' '.repeat(gutter);
  return [`  ${String(loc.line)} | ${shown}`, `  ${pad} | ${' '.repeat(Math.max(0, column - 1))}${'^'.repeat(length)}`].join('\n');
}

/** Line `n` (1-based) of a text, found without splitting the whole text into lines. */
function lineOf(source: string, n: number): string | undefined {
  let start = 0;
  for (let i = 1; i < n; i++) {
    const next = source.indexOf('\n', start);
    if (next < 0) return undefined;
    start = next + 1;
  }
  const end = source.indexOf('\n', start);
  return source.slice(start, end < 0 ? source.length : end).replace(/\r$/, '');
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
