/**
 * Reads a pipeline file statically: which steps it declares, with which
 * args, needs, params and cache settings. No user code runs. A declaration
 * that cannot be read statically becomes a diagnostic pointing at the exact
 * expression, and the rest of the file is still read.
 */
import type { Json } from '../../api/json';
import type { CodeUnit, ModuleIndex } from '../code/module-index';
import { buildModuleIndex, codeUnitOf, MODULE_INDEX_VERSION, opaqueModule, topLevelNames } from '../code/module-index';
import type { Diagnostic, DiagnosticCode } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import { hashBytes } from '../util/xxhash';
import type {
  ArgDeclaration,
  CacheDeclaration,
  EachDeclaration,
  FactoryCall,
  Loc,
  NeedDeclaration,
  ParsedPipelineFile,
  PipelineDeclaration,
  StepDeclaration,
} from '../model/declarations';
import { parseDuration } from '../util/duration';
import type { TS } from '../util/typescript';
import { locationOf, parseSource, syntaxErrors, typescript } from '../util/typescript';
import { readEach } from './each';
import { factoryCallOf, findFactories, readFactoryStep, reportStrayCalls } from './factories';
import type { StaticScope, StaticValue } from './static-value';
import { evaluateStatic, formatValuePath, staticPropertyName, unbound, unwrap } from './static-value';

/** Bump when the shape of ParsedPipelineFile changes: it keys the parse cache (with the code index's version, whose units it holds). */
export const PARSER_VERSION = 6 * 1000 + MODULE_INDEX_VERSION;

export const API_MODULE = 'nx-steps';
type ApiName = 'step' | 'pipeline' | 'file' | 'dir' | 'range';
const API_NAMES: ReadonlySet<string> = new Set(['step', 'pipeline', 'file', 'dir', 'range']);
const STEP_OPTION_KEYS = ['args', 'needs', 'params', 'each', 'cache', 'version', 'description'] as const;
const CACHE_OPTION_KEYS = ['strategy', 'ttl', 'key'] as const;
const PIPELINE_OPTION_KEYS = ['name', 'cache', 'description', 'params'] as const;

/** A step made by a factory call: the call's arguments and the factory's code. */
export interface MadeBy {
  readonly factory: FactoryCall;
  readonly fn: CodeUnit;
}

export class FileReader {
  readonly diagnostics: Diagnostic[] = [];
  readonly ts = typescript();
  private readonly consts = new Map<string, TS.Expression>();
  private readonly topLevel: ReadonlySet<string>;
  /** A factory's parameters, bound to one call's arguments while its step is read. */
  private bindings: ReadonlyMap<string, Json> = new Map();
  readonly scope: StaticScope = {
    constInitializer: (name) => this.consts.get(name),
    bound: (name) => (this.bindings.has(name) ? { value: this.bindings.get(name) as Json } : undefined),
    member: (e) => this.pipelineParam(e),
  };

  constructor(
    readonly file: string,
    readonly sf: TS.SourceFile,
    readonly module: ModuleIndex,
  ) {
    const ts = this.ts;
    this.topLevel = topLevelNames(module);
    for (const s of sf.statements) {
      if (!ts.isVariableStatement(s) || !(s.declarationList.flags & ts.NodeFlags.Const)) continue;
      for (const d of s.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer) this.consts.set(d.name.text, d.initializer);
      }
    }
  }

  loc(node: TS.Node): Loc {
    return locationOf(node, this.sf);
  }

  /** Reads with a factory's parameters bound to literal values. */
  withBindings<T>(bindings: ReadonlyMap<string, Json>, read: () => T): T {
    const before = this.bindings;
    this.bindings = bindings;
    try {
      return read();
    } finally {
      this.bindings = before;
    }
  }

  /** `ml.params.lr`, where `ml` is a top-level const made by pipeline(...): the shared param's default. */
  pipelineParam(e: TS.PropertyAccessExpression): StaticValue | undefined {
    const ref = this.pipelineParamRef(e);
    if (!ref) return undefined;
    // Looked up quietly: readPipeline reports what is wrong with the pipeline's options, once.
    const options = ref.call.arguments[0] && this.objectLiteral(ref.call.arguments[0]);
    const params = options && this.propertyValue(options, 'params');
    const obj = params && this.objectLiteral(params);
    const entry = obj && this.propertyValue(obj, ref.param);
    if (!entry) return { ok: false, node: e.name, reason: `pipeline \`${ref.pipeline}\` declares no param \`${ref.param}\` (in pipeline({ params: { ... } }))`, path: [] };
    return evaluateStatic(entry, unbound(this.scope));
  }

  /** The value of `key: value` in an object literal, without reporting anything. */
  private propertyValue(obj: TS.ObjectLiteralExpression, key: string): TS.Expression | undefined {
    for (const p of obj.properties) {
      if (this.ts.isPropertyAssignment(p) && staticPropertyName(this.ts, p.name) === key) return p.initializer;
      if (this.ts.isShorthandPropertyAssignment(p) && p.name.text === key) return p.name;
    }
    return undefined;
  }

  /** Whether `e` reads a shared param: `<pipeline const>.params.<name>`. */
  pipelineParamRef(e: TS.Expression): { pipeline: string; param: string; call: TS.CallExpression } | undefined {
    const ts = this.ts;
    const u = unwrap(ts, e);
    if (!ts.isPropertyAccessExpression(u)) return undefined;
    const inner = unwrap(ts, u.expression);
    if (!ts.isPropertyAccessExpression(inner) || inner.name.text !== 'params' || !ts.isIdentifier(inner.expression)) return undefined;
    const api = this.apiCall(this.consts.get(inner.expression.text));
    return api?.name === 'pipeline' ? { pipeline: inner.expression.text, param: u.name.text, call: api.call } : undefined;
  }

  report(code: DiagnosticCode, node: TS.Node, message: string, hint?: string, step?: string, severity: 'error' | 'warning' = 'error'): void {
    this.diagnostics.push({
      code,
      severity,
      message,
      ...(hint ? { hint } : {}),
      ...(step ? { step } : {}),
      location: { file: this.file, ...this.loc(node) },
    });
  }

  /** Which nx-steps function an expression names, through any import alias. */
  apiName(expr: TS.Expression): ApiName | undefined {
    const ts = this.ts;
    const e = unwrap(ts, expr);
    if (ts.isIdentifier(e)) {
      const b = this.module.imports[e.text];
      return b && b.specifier === API_MODULE && API_NAMES.has(b.imported) ? (b.imported as ApiName) : undefined;
    }
    if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression)) {
      const b = this.module.imports[e.expression.text];
      return b && b.specifier === API_MODULE && b.imported === '*' && API_NAMES.has(e.name.text) ? (e.name.text as ApiName) : undefined;
    }
    return undefined;
  }

  apiCall(expr: TS.Expression | undefined): { name: ApiName; call: TS.CallExpression } | undefined {
    if (!expr) return undefined;
    const e = unwrap(this.ts, expr);
    if (!this.ts.isCallExpression(e)) return undefined;
    const name = this.apiName(e.expression);
    return name ? { name, call: e } : undefined;
  }

  /** An object literal, directly or through a top-level const. */
  objectLiteral(expr: TS.Expression): TS.ObjectLiteralExpression | undefined {
    const ts = this.ts;
    let e = unwrap(ts, expr);
    for (let i = 0; i < 8 && ts.isIdentifier(e); i++) {
      const init = this.consts.get(e.text);
      if (!init) return undefined;
      e = unwrap(ts, init);
    }
    return ts.isObjectLiteralExpression(e) ? e : undefined;
  }

  /** Each `key: value` of an object literal; reports and skips the rest. */
  properties(obj: TS.ObjectLiteralExpression, what: string, step?: string): Array<{ key: string; keyNode: TS.Node; value: TS.Expression }> {
    const ts = this.ts;
    const out: Array<{ key: string; keyNode: TS.Node; value: TS.Expression }> = [];
    for (const p of obj.properties) {
      if (ts.isPropertyAssignment(p)) {
        const key = staticPropertyName(ts, p.name);
        if (key === undefined) {
          this.report(DiagnosticCodes.notStatic, p.name, `A key of ${what} is computed; nx-steps reads declarations without running them.`, 'Write the key as a plain name or string.', step);
          continue;
        }
        out.push({ key, keyNode: p.name, value: p.initializer });
      } else if (ts.isShorthandPropertyAssignment(p)) {
        out.push({ key: p.name.text, keyNode: p.name, value: p.name });
      } else {
        this.report(DiagnosticCodes.notStatic, p, `${what} may only contain \`key: value\` entries.`, 'Spreads and methods are computed at run time; write each entry out.', step);
      }
    }
    return out;
  }

  /** `what` names the value in backticks, e.g. '`params`'; the path inside it is appended. */
  staticJson(expr: TS.Expression, what: string, step?: string): Json | undefined {
    const v = evaluateStatic(expr, this.scope);
    if (v.ok) return v.value;
    const named = what.endsWith('`') ? `${formatValuePath(what.slice(0, -1), v.path)}\`` : what;
    this.report(DiagnosticCodes.notStatic, v.node, `${named} must be a literal value: ${v.reason}.`, 'nx-steps reads declarations without running them. Write the value inline (or as a top-level const); to vary a param for one run, override it: nx run <project>:<step> --<param>=<value>.', step);
    return undefined;
  }

  readPipeline(call: TS.CallExpression): PipelineDeclaration {
    const decl: { name?: string; cache?: boolean; description?: string; params?: Record<string, Json> } = {};
    const [arg] = call.arguments;
    if (arg) {
      const obj = this.objectLiteral(arg);
      if (!obj) {
        this.report(DiagnosticCodes.notStatic, arg, 'pipeline(...) options must be an object literal.', "Write them inline: pipeline({ name: 'etl' }).");
      } else {
        for (const { key, keyNode, value } of this.properties(obj, 'pipeline options')) {
          if (!(PIPELINE_OPTION_KEYS as readonly string[]).includes(key)) {
            this.report(DiagnosticCodes.badOption, keyNode, `Unknown pipeline option \`${key}\`.`, `Known options: ${PIPELINE_OPTION_KEYS.join(', ')}.`);
            continue;
          }
          const v = this.staticJson(value, `pipeline option \`${key}\``);
          if (v === undefined) continue;
          if (key === 'params') {
            if (typeof v === 'object' && v !== null && !Array.isArray(v)) decl.params = v as Record<string, Json>;
            else this.report(DiagnosticCodes.badOption, value, '`params` of a pipeline must be an object of named values.', "Write pipeline({ name: 'ml', params: { lr: 0.1 } }).");
          } else if (key === 'cache') {
            if (typeof v === 'boolean') decl.cache = v;
            else this.report(DiagnosticCodes.badOption, value, '`cache` of a pipeline must be true or false.', 'Per-step strategies go on the steps: step({ cache: "input_hash" }, ...).');
          } else if (typeof v === 'string') {
            decl[key as 'name' | 'description'] = v;
          } else {
            this.report(DiagnosticCodes.badOption, value, `\`${key}\` must be a string.`);
          }
        }
      }
    }
    if (decl.name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._@/-]*$/.test(decl.name)) {
      this.report(DiagnosticCodes.badOption, call, `Pipeline name "${decl.name}" is not a valid Nx project name.`, 'Use letters, digits, ".", "_", "-", "/" or "@", starting with a letter or digit.');
      delete decl.name;
    }
    return { ...decl, loc: this.loc(call) };
  }

  readStep(local: string, exportedAs: string | undefined, nameNode: TS.Node, call: TS.CallExpression, made?: MadeBy): StepDeclaration | undefined {
    const ts = this.ts;
    const label = exportedAs ?? local;
    const args = call.arguments;
    let optionsExpr: TS.Expression | undefined;
    let fnExpr: TS.Expression | undefined;
    if (args.length === 1) fnExpr = args[0];
    else if (args.length === 2) [optionsExpr, fnExpr] = [args[0], args[1]];
    if (!fnExpr || args.length > 2) {
      this.report(DiagnosticCodes.badOption, call, `step(...) takes (options, fn) or (fn); found ${args.length} argument(s).`, 'Write it as step({ ... }, (input, ctx) => result).', label);
      return undefined;
    }
    // A factory's step closes over the factory's parameters: its code is the whole factory (its arguments join the key too).
    const fn: CodeUnit = made?.fn ?? this.codeUnit(fnExpr);
    let argsDecl: Record<string, ArgDeclaration> = {};
    let needs: Record<string, NeedDeclaration> = {};
    let params: Record<string, Json> = {};
    const paramLocs: Record<string, Loc> = {};
    let cache: CacheDeclaration = { enabled: true, strategy: 'code_hash' };
    let cacheExplicit = false;
    let each: EachDeclaration | undefined;
    let version: string | undefined;
    let description: string | undefined;

    if (optionsExpr) {
      const obj = this.objectLiteral(optionsExpr);
      if (!obj) {
        this.report(DiagnosticCodes.notStatic, optionsExpr, 'Step options must be an object literal.', 'Write them inline: step({ args: { ... }, needs: { ... } }, fn).', label);
        return undefined;
      }
      for (const { key, keyNode, value } of this.properties(obj, 'step options', label)) {
        switch (key) {
          case 'args':
            argsDecl = this.readArgs(value, label);
            break;
          case 'needs':
            needs = this.readNeeds(value, label);
            break;
          case 'params': {
            const o = this.objectLiteral(value);
            const v = this.staticJson(value, '`params`', label);
            if (v === undefined) break;
            if (typeof v !== 'object' || v === null || Array.isArray(v)) {
              this.report(DiagnosticCodes.badOption, value, '`params` must be an object of named values.', "Write params: { table: 'clean', limit: 10 }.", label);
              break;
            }
            params = v as Record<string, Json>;
            if (o) for (const p of this.properties(o, '`params`', label)) {
              paramLocs[p.key] = this.loc(p.keyNode);
              this.checkSharedName(p.key, p.value, label);
            }
            break;
          }
          case 'each':
            each = readEach(this, value, label);
            break;
          case 'cache':
            cacheExplicit = true;
            cache = this.readCache(value, label) ?? cache;
            break;
          case 'version': {
            const v = this.staticJson(value, '`version`', label);
            if (typeof v === 'string' || typeof v === 'number') version = String(v);
            else if (v !== undefined) this.report(DiagnosticCodes.badOption, value, '`version` must be a string or a number.', undefined, label);
            break;
          }
          case 'description': {
            const v = this.staticJson(value, '`description`', label);
            if (typeof v === 'string') description = v;
            else if (v !== undefined) this.report(DiagnosticCodes.badOption, value, '`description` must be a string.', undefined, label);
            break;
          }
          default:
            this.report(DiagnosticCodes.badOption, keyNode, `Unknown step option \`${key}\`.`, `Known options: ${STEP_OPTION_KEYS.join(', ')}.`, label);
        }
      }
    }
    if (!ts.isArrowFunction(unwrap(ts, fnExpr)) && !ts.isFunctionExpression(unwrap(ts, fnExpr)) && !ts.isIdentifier(unwrap(ts, fnExpr))) {
      this.report(DiagnosticCodes.unsupportedDeclaration, fnExpr, 'The step function must be written inline or named (a function declared in this file or imported).', 'Write step({ ... }, (input, ctx) => ...), or step({ ... }, myFunction).', label, 'warning');
    }
    return {
      local,
      exportedAs,
      loc: this.loc(nameNode),
      args: argsDecl,
      needs,
      params,
      paramLocs,
      cache,
      cacheExplicit,
      ...(version !== undefined ? { version } : {}),
      ...(description !== undefined ? { description } : {}),
      fn,
      ...(each ? { each } : {}),
      ...(made ? { factory: made.factory } : {}),
    };
  }

  /** A shared param keeps its name, so an override by that name reaches every step that uses it. */
  private checkSharedName(key: string, value: TS.Expression, step: string): void {
    const ref = this.pipelineParamRef(value);
    if (ref && ref.param !== key) {
      this.report(DiagnosticCodes.badOption, value, `Param \`${key}\` takes the pipeline's param \`${ref.param}\`: a shared param keeps its name, so that --${ref.param} reaches every step that uses it.`, `Write ${ref.param}: ${ref.pipeline}.params.${ref.param}.`, step);
    }
  }

  /** The code of a step function or key function (see module-index.ts). */
  codeUnit(node: TS.Expression): CodeUnit {
    return codeUnitOf(node, this.sf, this.topLevel);
  }

  readArgs(expr: TS.Expression, step: string): Record<string, ArgDeclaration> {
    const out: Record<string, ArgDeclaration> = {};
    const obj = this.objectLiteral(expr);
    if (!obj) {
      this.report(DiagnosticCodes.notStatic, expr, '`args` must be an object literal.', "Write args: { path: file('data/raw.csv'), limit: 10 }.", step);
      return out;
    }
    for (const { key, value } of this.properties(obj, '`args`', step)) {
      const api = this.apiCall(value);
      if (api && (api.name === 'file' || api.name === 'dir')) {
        const decl = this.readPathArg(api.name, api.call, step, key);
        if (decl) out[key] = decl;
        continue;
      }
      const v = this.staticJson(value, `Argument \`${key}\``, step);
      if (v !== undefined) out[key] = { kind: 'value', value: v, loc: this.loc(value) };
    }
    return out;
  }

  readPathArg(kind: 'file' | 'dir', call: TS.CallExpression, step: string, argName: string): ArgDeclaration | undefined {
    const [pathExpr, optsExpr] = call.arguments;
    if (!pathExpr) {
      this.report(DiagnosticCodes.badOption, call, `${kind}(...) needs a path.`, `Write ${kind}('data/raw.csv').`, step);
      return undefined;
    }
    const p = this.staticJson(pathExpr, `The path of argument \`${argName}\``, step);
    if (p === undefined) return undefined;
    if (typeof p !== 'string' || p.length === 0) {
      this.report(DiagnosticCodes.badOption, pathExpr, `The path of argument \`${argName}\` must be a non-empty string.`, undefined, step);
      return undefined;
    }
    let external = false;
    let include: string[] = [];
    let exclude: string[] = [];
    if (optsExpr) {
      const o = this.staticJson(optsExpr, `The options of argument \`${argName}\``, step);
      if (o === undefined) return undefined;
      if (typeof o !== 'object' || o === null || Array.isArray(o)) {
        this.report(DiagnosticCodes.badOption, optsExpr, `The options of ${kind}(...) must be an object.`, undefined, step);
        return undefined;
      }
      const allowed = kind === 'dir' ? ['external', 'include', 'exclude'] : ['external'];
      for (const [k, v] of Object.entries(o)) {
        if (!allowed.includes(k)) {
          this.report(DiagnosticCodes.badOption, optsExpr, `Unknown option \`${k}\` of ${kind}(...).`, `Known options: ${allowed.join(', ')}.`, step);
          return undefined;
        }
        if (k === 'external') {
          if (typeof v !== 'boolean') {
            this.report(DiagnosticCodes.badOption, optsExpr, '`external` must be true or false.', undefined, step);
            return undefined;
          }
          external = v;
        } else {
          if (!Array.isArray(v) || !v.every((g) => typeof g === 'string')) {
            this.report(DiagnosticCodes.badOption, optsExpr, `\`${k}\` must be an array of glob strings.`, undefined, step);
            return undefined;
          }
          if (k === 'include') include = v as string[];
          else exclude = v as string[];
        }
      }
    }
    const loc = this.loc(call);
    return kind === 'file' ? { kind, path: p, external, loc } : { kind, path: p, external, include, exclude, loc };
  }

  readNeeds(expr: TS.Expression, step: string): Record<string, NeedDeclaration> {
    const ts = this.ts;
    const out: Record<string, NeedDeclaration> = {};
    const obj = this.objectLiteral(expr);
    if (!obj) {
      this.report(DiagnosticCodes.notStatic, expr, '`needs` must be an object literal naming upstream steps.', 'Write needs: { raw: load_data }.', step);
      return out;
    }
    for (const { key, value } of this.properties(obj, '`needs`', step)) {
      const v = unwrap(ts, value);
      if (!ts.isIdentifier(v)) {
        this.report(DiagnosticCodes.notStatic, value, `\`needs.${key}\` must name a step declared in this project.`, 'Write needs: { raw: load_data }, where load_data is a step of this file or imported from another pipeline file of the project.', step);
        continue;
      }
      out[key] = { local: v.text, loc: this.loc(v) };
    }
    return out;
  }

  readCache(expr: TS.Expression, step: string): CacheDeclaration | undefined {
    const ts = this.ts;
    const e = unwrap(ts, expr);
    const badStrategy = (node: TS.Node, found: string): undefined => {
      this.report(DiagnosticCodes.badCacheStrategy, node, `Unknown cache strategy ${found}.`, "Use 'code_hash' (re-run when code or inputs change; the default), 'input_hash' (only inputs), or false (always run).", step);
      return undefined;
    };
    if (e.kind === ts.SyntaxKind.FalseKeyword) return { enabled: false };
    if (e.kind === ts.SyntaxKind.TrueKeyword) return badStrategy(e, 'true');
    if (ts.isObjectLiteralExpression(e)) {
      let strategy: 'code_hash' | 'input_hash' = 'code_hash';
      let ttl: { text: string; ms: number } | undefined;
      let key: CodeUnit | undefined;
      for (const { key: k, keyNode, value } of this.properties(e, '`cache`', step)) {
        if (k === 'strategy') {
          const v = this.staticJson(value, '`cache.strategy`', step);
          if (v === 'code_hash' || v === 'input_hash') strategy = v;
          else if (v !== undefined) return badStrategy(value, JSON.stringify(v));
        } else if (k === 'ttl') {
          const v = this.staticJson(value, '`cache.ttl`', step);
          if (v === undefined) return undefined;
          const ms = typeof v === 'string' ? parseDuration(v) : undefined;
          if (ms === undefined || typeof v !== 'string') {
            this.report(DiagnosticCodes.badTtl, value, `Invalid time-to-live ${JSON.stringify(v)}.`, "Write a positive duration with a unit: '90s', '30m', '24h', '7d' or '2w'.", step);
            return undefined;
          }
          ttl = { text: v, ms };
        } else if (k === 'key') {
          const fnNode = unwrap(ts, value);
          if (!ts.isArrowFunction(fnNode) && !ts.isFunctionExpression(fnNode) && !ts.isIdentifier(fnNode)) {
            this.report(DiagnosticCodes.badOption, value, '`cache.key` must be a function.', 'Write key: ({ params, env }) => env.MODEL_TAG.', step);
            return undefined;
          }
          key = this.codeUnit(value);
        } else {
          this.report(DiagnosticCodes.badOption, keyNode, `Unknown cache option \`${k}\`.`, `Known options: ${CACHE_OPTION_KEYS.join(', ')}.`, step);
        }
      }
      return { enabled: true, strategy, ...(ttl ? { ttl } : {}), ...(key ? { key } : {}) };
    }
    const v = this.staticJson(expr, '`cache`', step);
    if (v === undefined) return undefined;
    if (v === 'code_hash' || v === 'input_hash') return { enabled: true, strategy: v };
    return badStrategy(expr, JSON.stringify(v));
  }
}

function exportNameOf(module: ModuleIndex, local: string): string | undefined {
  if (module.exports[local]?.kind === 'local') {
    const t = module.exports[local];
    if (t.kind === 'local' && t.local === local) return local;
  }
  for (const [exported, target] of Object.entries(module.exports)) {
    if (target.kind === 'local' && target.local === local) return exported;
  }
  return undefined;
}

export function parsePipelineFile(file: string, text: string): ParsedPipelineFile {
  const ts = typescript();
  const digest = hashBytes(text);
  const sf = parseSource(file, text);
  const errors = syntaxErrors(sf);
  if (errors.length > 0) {
    const diagnostics: Diagnostic[] = errors.slice(0, 5).map((e) => {
      const start = e.start ?? 0;
      const { line, character } = sf.getLineAndCharacterOfPosition(start);
      return {
        code: DiagnosticCodes.syntax,
        severity: 'error',
        message: `Syntax error: ${ts.flattenDiagnosticMessageText(e.messageText, '\n')}`,
        hint: 'Fix the syntax; until then the steps of this file keep their last known targets and fail when run.',
        location: { file, line: line + 1, column: character + 1, length: Math.max(1, e.length ?? 1) },
      };
    });
    return { file, digest, steps: [], module: emptyModule(digest), diagnostics };
  }
  const module = buildModuleIndex(sf);
  const reader = new FileReader(file, sf, module);
  const steps: StepDeclaration[] = [];
  let pipelineDecl: PipelineDeclaration | undefined;
  const factories = findFactories(reader, sf, module);
  // Calls that became declarations; every other step(...) or factory call is reported (factories.ts).
  const consumed = new Set<TS.Node>();
  // `const ml = pipeline({...}); export default ml;`: steps can then read ml.params.
  const defaultExport = sf.statements.flatMap((s) => (ts.isExportAssignment(s) && !s.isExportEquals && ts.isIdentifier(s.expression) ? [s.expression.text] : []))[0];

  for (const s of sf.statements) {
    if (ts.isExportAssignment(s) && !s.isExportEquals) {
      const api = reader.apiCall(s.expression);
      if (api?.name === 'pipeline') pipelineDecl = reader.readPipeline(api.call);
      continue;
    }
    if (!ts.isVariableStatement(s)) continue;
    const isExported = !!ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    for (const d of s.declarationList.declarations) {
      const api = reader.apiCall(d.initializer);
      const made = api ? undefined : factoryCallOf(reader, factories, d.initializer);
      if (!api && !made) continue;
      if (!ts.isIdentifier(d.name)) {
        const what = api?.name ?? 'step';
        reader.report(DiagnosticCodes.unsupportedDeclaration, d.name, `Declare each ${what} under its own name.`, `Write export const name = ${what}(...).`);
        continue;
      }
      if (api?.name === 'pipeline') {
        if (d.name.text !== defaultExport) {
          reader.report(DiagnosticCodes.unsupportedDeclaration, d, 'The pipeline declaration must be the default export.', "Write export default pipeline({ name: 'etl' }).", undefined, 'warning');
        }
        pipelineDecl ??= reader.readPipeline(api.call);
        continue;
      }
      if (api && api.name !== 'step') continue;
      const local = d.name.text;
      const exportedAs = isExported ? local : exportNameOf(module, local);
      let decl: StepDeclaration | undefined;
      if (made) {
        consumed.add(made.call).add(made.factory.stepCall);
        decl = readFactoryStep(reader, local, exportedAs, d.name, made.factory, made.call);
      } else if (api) {
        consumed.add(api.call);
        decl = reader.readStep(local, exportedAs, d.name, api.call);
      }
      if (!decl) continue;
      if (!exportedAs) {
        reader.report(DiagnosticCodes.unsupportedDeclaration, d.name, `Step \`${local}\` is not exported.`, `The executor imports steps by name: write export const ${local} = step(...).`, local);
      }
      steps.push(decl);
    }
  }
  reportStrayCalls(reader, sf, factories, consumed);
  if (steps.length === 0 && reader.diagnostics.length === 0) {
    reader.diagnostics.push({
      code: DiagnosticCodes.noSteps,
      severity: 'warning',
      message: `No steps found: the file matches the pipeline pattern but declares no \`export const name = step(...)\` imported from '${API_MODULE}'.`,
      hint: `Declare steps with: import { step } from '${API_MODULE}'; export const name = step({ ... }, fn).`,
      location: { file, line: 1, column: 1, length: 1 },
    });
  }
  return {
    file,
    digest,
    ...(pipelineDecl ? { pipeline: pipelineDecl } : {}),
    steps,
    module,
    diagnostics: reader.diagnostics,
  };
}

function emptyModule(digest: string): ModuleIndex {
  return opaqueModule(digest);
}
