/**
 * Reads one `step(options, fn)` call statically: its options, one reader per option (args, needs, params,
 * each, cache, version, description), and where its code is. What cannot be read becomes a diagnostic on
 * the exact expression, and the rest of the step is still read.
 */
import type { Json } from '../../api/json';
import type { CodeUnit } from '../code/module-index';
import { DiagnosticCodes } from '../diagnostics';
import type { ArgDeclaration, CacheDeclaration, EachDeclaration, Loc, NeedDeclaration, StepDeclaration } from '../model/declarations';
import { parseDuration } from '../util/duration';
import type { TS } from '../util/typescript';
import { readEach } from './each';
import type { FileReader, MadeBy } from './file-reader';
import { formatValuePath, unwrap } from './static-value';

const STEP_OPTION_KEYS = ['args', 'needs', 'params', 'each', 'cache', 'version', 'description'] as const;
const CACHE_OPTION_KEYS = ['strategy', 'ttl', 'key'] as const;

/** What a step's options say, each field at its default until an option sets it. */
interface StepOptionsRead {
  args: Record<string, ArgDeclaration>;
  needs: Record<string, NeedDeclaration>;
  params: Record<string, Json>;
  secrets?: string[];
  paramLocs: Record<string, Loc>;
  cache: CacheDeclaration;
  cacheExplicit: boolean;
  each?: EachDeclaration | undefined;
  version?: string;
  description?: string;
}

export function readStep(
  r: FileReader,
  local: string,
  exportedAs: string | undefined,
  nameNode: TS.Node,
  call: TS.CallExpression,
  made?: MadeBy,
): StepDeclaration | undefined {
  const label = exportedAs ?? local;
  const parts = stepCallParts(r, call, label);
  if (!parts) return undefined;
  // A factory's step closes over the factory's parameters: its code is the whole factory (its arguments join the key too).
  const fn: CodeUnit = made?.fn ?? r.stepFunctionUnit(parts.fnExpr);
  const options = parts.optionsExpr ? readStepOptions(r, parts.optionsExpr, label) : defaultOptions();
  if (!options) return undefined;
  checkStepFunction(r, parts.fnExpr, label);
  const { each, version, description, ...rest } = options;
  return {
    local,
    exportedAs,
    loc: r.loc(nameNode),
    ...rest,
    ...(version !== undefined ? { version } : {}),
    ...(description !== undefined ? { description } : {}),
    fn,
    ...(each ? { each } : {}),
    ...(made ? { factory: made.factory } : {}),
  };
}

/** `step(options, fn)` or `step(fn)`. */
function stepCallParts(r: FileReader, call: TS.CallExpression, label: string): { optionsExpr?: TS.Expression; fnExpr: TS.Expression } | undefined {
  const args = call.arguments;
  const [first, second] = args;
  if (args.length === 1 && first) return { fnExpr: first };
  if (args.length === 2 && first && second) return { optionsExpr: first, fnExpr: second };
  r.report(
    DiagnosticCodes.badOption,
    call,
    `step(...) takes (options, fn) or (fn); found ${args.length} argument(s).`,
    'Write it as step({ ... }, (input, ctx) => result).',
    label,
  );
  return undefined;
}

function defaultOptions(): StepOptionsRead {
  return { args: {}, needs: {}, params: {}, paramLocs: {}, cache: { enabled: true, strategy: 'code_hash' }, cacheExplicit: false };
}

function readStepOptions(r: FileReader, optionsExpr: TS.Expression, label: string): StepOptionsRead | undefined {
  const obj = r.objectLiteral(optionsExpr);
  if (!obj) {
    r.report(
      DiagnosticCodes.notStatic,
      optionsExpr,
      'Step options must be an object literal.',
      'Write them inline: step({ args: { ... }, needs: { ... } }, fn).',
      label,
    );
    return undefined;
  }
  const read = defaultOptions();
  for (const { key, keyNode, value } of r.properties(obj, 'step options', label)) readStepOption(r, read, key, keyNode, value, label);
  return read;
}

function readStepOption(r: FileReader, read: StepOptionsRead, key: string, keyNode: TS.Node, value: TS.Expression, label: string): void {
  switch (key) {
    case 'args':
      read.args = readArgs(r, value, label);
      return;
    case 'needs':
      read.needs = readNeeds(r, value, label);
      return;
    case 'params':
      readParams(r, read, value, label);
      return;
    case 'each':
      read.each = readEach(r, value, label);
      return;
    case 'cache':
      read.cacheExplicit = true;
      read.cache = readCache(r, value, label) ?? read.cache;
      return;
    case 'version': {
      const v = r.staticJson(value, '`version`', label);
      if (typeof v === 'string' || typeof v === 'number') read.version = String(v);
      else if (v !== undefined) r.report(DiagnosticCodes.badOption, value, '`version` must be a string or a number.', undefined, label);
      return;
    }
    case 'description': {
      const v = r.staticJson(value, '`description`', label);
      if (typeof v === 'string') read.description = v;
      else if (v !== undefined) r.report(DiagnosticCodes.badOption, value, '`description` must be a string.', undefined, label);
      return;
    }
    default:
      r.report(DiagnosticCodes.badOption, keyNode, `Unknown step option \`${key}\`.`, `Known options: ${STEP_OPTION_KEYS.join(', ')}.`, label);
  }
}

function readParams(r: FileReader, read: StepOptionsRead, value: TS.Expression, label: string): void {
  const params = readParamValues(r, value, '`params`', label, "Write params: { table: 'clean', limit: 10 }.");
  if (!params) return;
  read.params = params.values;
  if (params.secrets.length > 0) read.secrets = params.secrets;
  for (const p of params.properties) {
    read.paramLocs[p.key] = r.loc(p.keyNode);
    checkSharedName(r, p.key, p.value, label);
  }
}

/**
 * An object of params, each value read on its own: a literal, or `secret()` (its default is null and its
 * name is listed in `secrets`). Shared by a step's `params` and a pipeline's.
 */
export function readParamValues(
  r: FileReader,
  value: TS.Expression,
  what: string,
  step: string | undefined,
  hint: string,
): { values: Record<string, Json>; secrets: string[]; properties: ReturnType<FileReader['properties']> } | undefined {
  const obj = r.objectLiteral(value);
  if (!obj) {
    const v = r.staticJson(value, what, step);
    if (v !== undefined) r.report(DiagnosticCodes.badOption, value, `${what} must be an object of named values.`, hint, step);
    return undefined;
  }
  const values: Record<string, Json> = {};
  const secrets: string[] = [];
  const properties = r.properties(obj, what, step);
  for (const p of properties) {
    if (r.isSecret(p.value, step)) {
      values[p.key] = null;
      secrets.push(p.key);
      continue;
    }
    const v = r.staticJson(p.value, `\`${formatValuePath('params', [p.key])}\``, step);
    if (v !== undefined) values[p.key] = v;
  }
  return { values, secrets, properties };
}

/** A shared param keeps its name, so an override by that name reaches every step that uses it. */
function checkSharedName(r: FileReader, key: string, value: TS.Expression, step: string): void {
  const ref = r.pipelineParamRef(value);
  if (ref && ref.param !== key) {
    r.report(
      DiagnosticCodes.badOption,
      value,
      `Param \`${key}\` takes the pipeline's param \`${ref.param}\`: a shared param keeps its name, so that --${ref.param} reaches every step that uses it.`,
      `Write ${ref.param}: ${ref.pipeline}.params.${ref.param}.`,
      step,
    );
  }
}

/** The code of a step is found only when the function is written inline or named. */
function checkStepFunction(r: FileReader, fnExpr: TS.Expression, label: string): void {
  const ts = r.ts;
  const fn = unwrap(ts, fnExpr);
  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) || ts.isIdentifier(fn)) return;
  r.warn(
    DiagnosticCodes.unsupportedDeclaration,
    fnExpr,
    'The step function must be written inline or named (a function declared in this file or imported).',
    'Write step({ ... }, (input, ctx) => ...), or step({ ... }, myFunction).',
    label,
  );
}

function readArgs(r: FileReader, expr: TS.Expression, step: string): Record<string, ArgDeclaration> {
  const out: Record<string, ArgDeclaration> = {};
  const obj = r.objectLiteral(expr);
  if (!obj) {
    r.report(DiagnosticCodes.notStatic, expr, '`args` must be an object literal.', "Write args: { path: file('data/raw.csv'), limit: 10 }.", step);
    return out;
  }
  for (const { key, value } of r.properties(obj, '`args`', step)) {
    const api = r.apiCall(value);
    if (api && (api.name === 'file' || api.name === 'dir')) {
      const decl = readPathArg(r, api.name, api.call, step, key);
      if (decl) out[key] = decl;
      continue;
    }
    const v = r.staticJson(value, `Argument \`${key}\``, step);
    if (v !== undefined) out[key] = { kind: 'value', value: v, loc: r.loc(value) };
  }
  return out;
}

/** `file(path, { external })` or `dir(path, { external, include, exclude })`. */
export function readPathArg(r: FileReader, kind: 'file' | 'dir', call: TS.CallExpression, step: string, argName: string): ArgDeclaration | undefined {
  const [pathExpr, optsExpr] = call.arguments;
  if (!pathExpr) {
    r.report(DiagnosticCodes.badOption, call, `${kind}(...) needs a path.`, `Write ${kind}('data/raw.csv').`, step);
    return undefined;
  }
  const p = r.staticJson(pathExpr, `The path of argument \`${argName}\``, step);
  if (p === undefined) return undefined;
  if (typeof p !== 'string' || p.length === 0) {
    r.report(DiagnosticCodes.badOption, pathExpr, `The path of argument \`${argName}\` must be a non-empty string.`, undefined, step);
    return undefined;
  }
  const options = optsExpr ? readPathOptions(r, kind, optsExpr, step, argName) : { external: false, include: [], exclude: [] };
  if (!options) return undefined;
  const loc = r.loc(call);
  const { external, include, exclude } = options;
  return kind === 'file' ? { kind, path: p, external, loc } : { kind, path: p, external, include, exclude, loc };
}

interface PathOptions {
  external: boolean;
  include: string[];
  exclude: string[];
}

function readPathOptions(r: FileReader, kind: 'file' | 'dir', optsExpr: TS.Expression, step: string, argName: string): PathOptions | undefined {
  const o = r.staticJson(optsExpr, `The options of argument \`${argName}\``, step);
  if (o === undefined) return undefined;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    r.report(DiagnosticCodes.badOption, optsExpr, `The options of ${kind}(...) must be an object.`, undefined, step);
    return undefined;
  }
  const read: PathOptions = { external: false, include: [], exclude: [] };
  const allowed = kind === 'dir' ? ['external', 'include', 'exclude'] : ['external'];
  for (const [k, v] of Object.entries(o)) {
    if (!allowed.includes(k)) {
      r.report(DiagnosticCodes.badOption, optsExpr, `Unknown option \`${k}\` of ${kind}(...).`, `Known options: ${allowed.join(', ')}.`, step);
      return undefined;
    }
    if (k === 'external') {
      if (typeof v !== 'boolean') {
        r.report(DiagnosticCodes.badOption, optsExpr, '`external` must be true or false.', undefined, step);
        return undefined;
      }
      read.external = v;
    } else {
      if (!Array.isArray(v) || !v.every((g) => typeof g === 'string')) {
        r.report(DiagnosticCodes.badOption, optsExpr, `\`${k}\` must be an array of glob strings.`, undefined, step);
        return undefined;
      }
      read[k as 'include' | 'exclude'] = v as string[];
    }
  }
  return read;
}

function readNeeds(r: FileReader, expr: TS.Expression, step: string): Record<string, NeedDeclaration> {
  const ts = r.ts;
  const out: Record<string, NeedDeclaration> = {};
  const obj = r.objectLiteral(expr);
  if (!obj) {
    r.report(DiagnosticCodes.notStatic, expr, '`needs` must be an object literal naming upstream steps.', 'Write needs: { raw: load_data }.', step);
    return out;
  }
  for (const { key, value } of r.properties(obj, '`needs`', step)) {
    const v = unwrap(ts, value);
    if (!ts.isIdentifier(v)) {
      r.report(
        DiagnosticCodes.notStatic,
        value,
        `\`needs.${key}\` must name a step declared in this project.`,
        'Write needs: { raw: load_data }, where load_data is a step of this file or imported from another pipeline file of the project.',
        step,
      );
      continue;
    }
    out[key] = { local: v.text, loc: r.loc(v) };
  }
  return out;
}

/** `cache: false`, `cache: 'input_hash'` or `cache: { strategy, ttl, key }`. */
function readCache(r: FileReader, expr: TS.Expression, step: string): CacheDeclaration | undefined {
  const ts = r.ts;
  const e = unwrap(ts, expr);
  if (e.kind === ts.SyntaxKind.FalseKeyword) return { enabled: false };
  if (e.kind === ts.SyntaxKind.TrueKeyword) return badStrategy(r, e, 'true', step);
  if (ts.isObjectLiteralExpression(e)) return readCacheObject(r, e, step);
  const v = r.staticJson(expr, '`cache`', step);
  if (v === undefined) return undefined;
  if (v === 'code_hash' || v === 'input_hash') return { enabled: true, strategy: v };
  return badStrategy(r, expr, JSON.stringify(v), step);
}

function badStrategy(r: FileReader, node: TS.Node, found: string, step: string): undefined {
  r.report(
    DiagnosticCodes.badCacheStrategy,
    node,
    `Unknown cache strategy ${found}.`,
    "Use 'code_hash' (re-run when code or inputs change; the default), 'input_hash' (only inputs), or false (always run).",
    step,
  );
  return undefined;
}

function readCacheObject(r: FileReader, obj: TS.ObjectLiteralExpression, step: string): CacheDeclaration | undefined {
  let strategy: 'code_hash' | 'input_hash' = 'code_hash';
  let ttl: { text: string; ms: number } | undefined;
  let key: CodeUnit | undefined;
  for (const { key: k, keyNode, value } of r.properties(obj, '`cache`', step)) {
    if (k === 'strategy') {
      const v = r.staticJson(value, '`cache.strategy`', step);
      if (v === 'code_hash' || v === 'input_hash') strategy = v;
      else if (v !== undefined) return badStrategy(r, value, JSON.stringify(v), step);
    } else if (k === 'ttl') {
      ttl = readTtl(r, value, step);
      if (!ttl) return undefined;
    } else if (k === 'key') {
      key = readKeyFunction(r, value, step);
      if (!key) return undefined;
    } else {
      r.report(DiagnosticCodes.badOption, keyNode, `Unknown cache option \`${k}\`.`, `Known options: ${CACHE_OPTION_KEYS.join(', ')}.`, step);
    }
  }
  return { enabled: true, strategy, ...(ttl ? { ttl } : {}), ...(key ? { key } : {}) };
}

function readTtl(r: FileReader, value: TS.Expression, step: string): { text: string; ms: number } | undefined {
  const v = r.staticJson(value, '`cache.ttl`', step);
  if (v === undefined) return undefined;
  const ms = typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined || typeof v !== 'string') {
    r.report(
      DiagnosticCodes.badTtl,
      value,
      `Invalid time-to-live ${JSON.stringify(v)}.`,
      "Write a positive duration with a unit: '90s', '30m', '24h', '7d' or '2w'.",
      step,
    );
    return undefined;
  }
  return { text: v, ms };
}

function readKeyFunction(r: FileReader, value: TS.Expression, step: string): CodeUnit | undefined {
  const ts = r.ts;
  const fnNode = unwrap(ts, value);
  if (!ts.isArrowFunction(fnNode) && !ts.isFunctionExpression(fnNode) && !ts.isIdentifier(fnNode)) {
    r.report(DiagnosticCodes.badOption, value, '`cache.key` must be a function.', 'Write key: ({ params, env }) => env.MODEL_TAG.', step);
    return undefined;
  }
  return r.codeUnit(value);
}
