/**
 * The reader of one pipeline file: what every part of discovery needs to read a declaration statically
 * (the file's top-level consts, the nx-steps API names it imports, literal values through
 * static-value.ts, locations) and the one list of diagnostics it collects. What it reads lives beside it:
 * read-step.ts (step options), each.ts (fan-outs), factories.ts, parse-pipeline.ts (the file).
 */
import type { Json } from '../../api/json';
import type { CodeUnit, ModuleIndex } from '../code/module-index';
import { stepContextReasons } from '../code/identity';
import { codeUnitOf, topLevelNames } from '../code/module-index';
import type { Diagnostic, DiagnosticCode } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import type { FactoryCall, Loc } from '../model/declarations';
import type { TS } from '../util/typescript';
import { own } from '../util/own';
import { locationOf, typescript } from '../util/typescript';
import type { StaticScope, StaticValue } from './static-value';
import { evaluateStatic, formatValuePath, staticPropertyName, unbound, unwrap } from './static-value';

export const API_MODULE = 'nx-steps';
type ApiName = 'step' | 'pipeline' | 'file' | 'dir' | 'range' | 'secret';
const API_NAMES: ReadonlySet<string> = new Set(['step', 'pipeline', 'file', 'dir', 'range', 'secret']);

/** A step made by a factory call: the call's arguments and the factory's code. */
export interface MadeBy {
  readonly factory: FactoryCall;
  readonly fn: CodeUnit;
}

const PROTO = '__proto__';

/** `__proto__: x` in an object literal sets the object's prototype: the module would not have that key. */
function protoMessage(what: string): string {
  return `\`__proto__\` cannot be a key of ${what}: in an object literal it sets the object's prototype, so the step would never receive it.`;
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
    if (!entry)
      return {
        ok: false,
        node: e.name,
        reason: `pipeline \`${ref.pipeline}\` declares no param \`${ref.param}\` (in pipeline({ params: { ... } }))`,
        path: [],
      };
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

  /**
   * Whether a param's value declares a secret: `secret()`, or a pipeline's shared param declared with it
   * (`ml.params.token`). A `secret(...)` with arguments is reported (it takes none) and still a secret.
   */
  isSecret(value: TS.Expression, step?: string): boolean {
    const ref = this.pipelineParamRef(value);
    if (ref) {
      const options = ref.call.arguments[0] && this.objectLiteral(ref.call.arguments[0]);
      const params = options && this.propertyValue(options, 'params');
      const obj = params && this.objectLiteral(params);
      const entry = obj && this.propertyValue(obj, ref.param);
      return entry !== undefined && this.apiCall(entry)?.name === 'secret';
    }
    const api = this.apiCall(value);
    if (api?.name !== 'secret') return false;
    if (api.call.arguments.length > 0) {
      this.report(
        DiagnosticCodes.badOption,
        api.call,
        'secret() takes no arguments: its value is given on the command line.',
        'Write token: secret(), and run nx run <project>:<step> --token=...',
        step,
      );
    }
    return true;
  }

  /** An error at `node`; the step it belongs to, where there is one. */
  report(code: DiagnosticCode, node: TS.Node, message: string, hint?: string, step?: string): void {
    this.add('error', code, node, message, hint, step);
  }

  /** A warning at `node`: the declaration is read, but probably not as meant. */
  warn(code: DiagnosticCode, node: TS.Node, message: string, hint?: string, step?: string): void {
    this.add('warning', code, node, message, hint, step);
  }

  private add(
    severity: Diagnostic['severity'],
    code: DiagnosticCode,
    node: TS.Node,
    message: string,
    hint: string | undefined,
    step: string | undefined,
  ): void {
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
      const b = own(this.module.imports, e.text);
      return b && b.specifier === API_MODULE && API_NAMES.has(b.imported) ? (b.imported as ApiName) : undefined;
    }
    if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression)) {
      const b = own(this.module.imports, e.expression.text);
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
          this.report(
            DiagnosticCodes.notStatic,
            p.name,
            `A key of ${what} is computed; nx-steps reads declarations without running them.`,
            'Write the key as a plain name or string.',
            step,
          );
          continue;
        }
        if (key === PROTO) this.report(DiagnosticCodes.badOption, p.name, protoMessage(what), 'Rename it.', step);
        else out.push({ key, keyNode: p.name, value: p.initializer });
      } else if (ts.isShorthandPropertyAssignment(p)) {
        if (p.name.text === PROTO) this.report(DiagnosticCodes.badOption, p.name, protoMessage(what), 'Rename it.', step);
        else out.push({ key: p.name.text, keyNode: p.name, value: p.name });
      } else {
        this.report(
          DiagnosticCodes.notStatic,
          p,
          `${what} may only contain \`key: value\` entries.`,
          'Spreads and methods are computed at run time; write each entry out.',
          step,
        );
      }
    }
    return out;
  }

  /** `what` names the value in backticks, e.g. '`params`'; the path inside it is appended. */
  staticJson(expr: TS.Expression, what: string, step?: string): Json | undefined {
    const v = evaluateStatic(expr, this.scope);
    if (v.ok) return v.value;
    const named = what.endsWith('`') ? `${formatValuePath(what.slice(0, -1), v.path)}\`` : what;
    this.report(
      DiagnosticCodes.notStatic,
      v.node,
      `${named} must be a literal value: ${v.reason}.`,
      'nx-steps reads declarations without running them. Write the value inline (or as a top-level const); to vary a param for one run, override it: nx run <project>:<step> --<param>=<value>.',
      step,
    );
    return undefined;
  }

  /** The code of a step function or key function (see module-index.ts). */
  codeUnit(node: TS.Expression): CodeUnit {
    return codeUnitOf(node, this.sf, this.topLevel);
  }

  /** A step function's unit, with what its context parameter may reveal (code/identity.ts). */
  stepFunctionUnit(node: TS.Expression, unit: CodeUnit = this.codeUnit(node)): CodeUnit {
    const context = stepContextReasons(this.ts, node, this.sf);
    return context.length > 0 ? { ...unit, context } : unit;
  }
}
