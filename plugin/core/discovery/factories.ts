/**
 * Steps made by factories, and `step(...)` calls that make no target.
 *
 * A factory is a function of the pipeline file whose body is one `step(...)`
 * call: `const simStep = (id: number) => step({ params: { id } }, fn)`. A
 * top-level `export const sim_a = simStep(1)` with literal arguments is read
 * as that step with the factory's parameters bound to the arguments: no code
 * runs. The arguments join the step's key (the step function closes over
 * them), and its code is the whole factory.
 *
 * Anything else that calls `step(...)` (a loop, a `.map(...)`, a factory
 * called with computed arguments or from inside a function) would make a step
 * the graph cannot see. Each such call is reported where it is, never dropped.
 */
import type { Json } from '../../api/json';
import type { CodeUnit, ModuleIndex } from '../code/module-index';
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import { own } from '../util/own';
import { hashParts } from '../util/xxhash';
import type { StepDeclaration } from '../model/declarations';
import type { TS } from '../util/typescript';
import type { FileReader } from './file-reader';
import { readStep } from './read-step';
import { evaluateStatic, unbound, unwrap } from './static-value';

export interface Factory {
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly initializer?: TS.Expression }[];
  /** The `step(...)` call the factory returns. */
  readonly stepCall: TS.CallExpression;
  /** The factory's top-level declaration: the code of every step it makes. */
  readonly unit: CodeUnit | undefined;
}

const EACH_HINT = 'Declare each step as its own top-level export, or one step over many items: step({ each: { id: [1, 2, 3] } }, ({ id }) => ...).';

/** The step call a function body returns, when that is all the body does. */
function returnedStepCall(r: FileReader, fn: TS.FunctionLikeDeclaration): TS.CallExpression | undefined {
  const ts = r.ts;
  const body = fn.body;
  if (!body) return undefined;
  let expr: TS.Expression | undefined;
  if (ts.isBlock(body)) {
    const [only] = body.statements;
    if (body.statements.length !== 1 || !only || !ts.isReturnStatement(only)) return undefined;
    expr = only.expression;
  } else {
    expr = body;
  }
  const api = r.apiCall(expr);
  return api?.name === 'step' ? api.call : undefined;
}

function factoryOf(r: FileReader, name: string, fn: TS.FunctionLikeDeclaration, module: ModuleIndex): Factory | undefined {
  const ts = r.ts;
  const stepCall = returnedStepCall(r, fn);
  if (!stepCall) return undefined;
  const params: Array<{ name: string; initializer?: TS.Expression }> = [];
  for (const p of fn.parameters) {
    if (!ts.isIdentifier(p.name) || p.dotDotDotToken) return undefined;
    params.push({ name: p.name.text, ...(p.initializer ? { initializer: p.initializer } : {}) });
  }
  return { name, params, stepCall, unit: factoryUnit(name, own(module.decls, name)) };
}

/**
 * The factory's code. A name declared more than once (overloads, a merged
 * namespace) is one unit that refers to the name, so the closure walk takes
 * every declaration of it.
 */
function factoryUnit(name: string, units: readonly CodeUnit[] | undefined): CodeUnit | undefined {
  if (!units || units.length === 0) return undefined;
  if (units.length === 1) return units[0];
  return { digest: hashParts(units.map((u) => u.digest)), refs: [name], dynamicImports: [] };
}

/** Top-level functions of the file whose body is one `step(...)` call, by name. */
export function findFactories(r: FileReader, sf: TS.SourceFile, module: ModuleIndex): Map<string, Factory> {
  const ts = r.ts;
  const out = new Map<string, Factory>();
  for (const s of sf.statements) {
    if (ts.isFunctionDeclaration(s) && s.name) {
      const f = factoryOf(r, s.name.text, s, module);
      if (f) out.set(f.name, f);
    } else if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) {
        const init = d.initializer && unwrap(ts, d.initializer);
        if (!ts.isIdentifier(d.name) || !init || !(ts.isArrowFunction(init) || ts.isFunctionExpression(init))) continue;
        const f = factoryOf(r, d.name.text, init, module);
        if (f) out.set(f.name, f);
      }
    }
  }
  return out;
}

/** `simStep(1)`: a call of a factory of this file. */
export function factoryCallOf(
  r: FileReader,
  factories: ReadonlyMap<string, Factory>,
  expr: TS.Expression | undefined,
): { factory: Factory; call: TS.CallExpression } | undefined {
  if (!expr) return undefined;
  const ts = r.ts;
  const e = unwrap(ts, expr);
  if (!ts.isCallExpression(e) || !ts.isIdentifier(e.expression)) return undefined;
  const factory = factories.get(e.expression.text);
  return factory ? { factory, call: e } : undefined;
}

/**
 * The step a factory call makes: the factory's step read with its parameters
 * bound to the call's literal arguments. With an argument that is not
 * literal, a broken step of that name that fails with the reason, so
 * `nx run` says what is wrong instead of "target not found".
 */
export function readFactoryStep(
  r: FileReader,
  local: string,
  exportedAs: string | undefined,
  nameNode: TS.Node,
  factory: Factory,
  call: TS.CallExpression,
): StepDeclaration | undefined {
  const label = exportedAs ?? local;
  const { bindings, broken } = bindArguments(r, factory, call, label);
  // Its code is the whole factory; what its context parameter may reveal is the inner step function's.
  const stepFn = factory.stepCall.arguments[factory.stepCall.arguments.length - 1];
  const whole = factory.unit ?? r.codeUnit(factory.stepCall);
  const fn = stepFn ? r.stepFunctionUnit(stepFn, whole) : whole;
  // Defaults included: the values the step is made with, in the factory's parameter order.
  const made = { factory: { name: factory.name, args: [...bindings.values()] }, fn };
  if (broken)
    return {
      local,
      exportedAs,
      loc: r.loc(nameNode),
      args: {},
      needs: {},
      params: {},
      paramLocs: {},
      cache: { enabled: false },
      cacheExplicit: false,
      fn,
      factory: made.factory,
    };
  return r.withBindings(bindings, () => readStep(r, local, exportedAs, nameNode, factory.stepCall, made));
}

/** The factory's parameters bound to the call's literal arguments (or their defaults); broken, with every problem reported, when one is not literal. */
function bindArguments(r: FileReader, factory: Factory, call: TS.CallExpression, label: string): { bindings: Map<string, Json>; broken: boolean } {
  const bindings = new Map<string, Json>();
  let broken = false;
  factory.params.forEach((p, i) => {
    const expr = call.arguments[i] ?? p.initializer;
    if (!expr) {
      r.report(
        DiagnosticCodes.notAStep,
        call,
        `\`${factory.name}(...)\` is called without its argument \`${p.name}\`.`,
        `Pass every argument as a literal value: ${factory.name}(${factory.params.map((q) => q.name).join(', ')}).`,
        label,
      );
      broken = true;
      return;
    }
    const v = evaluateStatic(expr, unbound(r.scope));
    if (!v.ok) {
      r.report(
        DiagnosticCodes.notAStep,
        v.node,
        `Argument \`${p.name}\` of factory \`${factory.name}\` must be a literal value for \`${label}\` to be a step: ${v.reason}.`,
        `nx-steps reads declarations without running them. ${EACH_HINT}`,
        label,
      );
      broken = true;
      return;
    }
    bindings.set(p.name, v.value);
  });
  if (call.arguments.length > factory.params.length) {
    r.report(
      DiagnosticCodes.notAStep,
      call.arguments[factory.params.length] as TS.Node,
      `\`${factory.name}\` takes ${factory.params.length} argument(s); the rest would be ignored.`,
      `Remove the extra arguments.`,
      label,
    );
    broken = true;
  }
  return { bindings, broken };
}

/** Where a call sits, in words: why it makes no target. */
function placeOf(r: FileReader, node: TS.Node): string {
  const ts = r.ts;
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isForStatement(p) || ts.isForOfStatement(p) || ts.isForInStatement(p) || ts.isWhileStatement(p) || ts.isDoStatement(p)) return 'inside a loop';
    if (
      (ts.isArrowFunction(p) || ts.isFunctionExpression(p)) &&
      p.parent &&
      ts.isCallExpression(p.parent) &&
      ts.isPropertyAccessExpression(p.parent.expression)
    ) {
      return `inside a callback of .${p.parent.expression.name.text}(...)`;
    }
    if (ts.isFunctionLike(p)) return 'inside a function';
  }
  return 'not in an `export const name = ...` declaration';
}

function notAStep(r: FileReader, node: TS.Node, message: string, severity: Diagnostic['severity'] = 'error'): void {
  const hint = `Only top-level declarations become targets: export const name = step(...), or export const name = factory(<literal arguments>). ${EACH_HINT}`;
  if (severity === 'warning') r.warn(DiagnosticCodes.notAStep, node, message, hint);
  else r.report(DiagnosticCodes.notAStep, node, message, hint);
}

/**
 * Reports every `step(...)` call and every factory call that did not become
 * a declaration (`consumed` holds those that did).
 */
export function reportStrayCalls(r: FileReader, sf: TS.SourceFile, factories: ReadonlyMap<string, Factory>, consumed: ReadonlySet<TS.Node>): void {
  const ts = r.ts;
  const factorySteps = new Map([...factories.values()].map((f) => [f.stepCall as TS.Node, f]));
  const calledFactories = new Set<Factory>();
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node) && !consumed.has(node)) {
      const made = factoryCallOf(r, factories, node);
      if (made) {
        calledFactories.add(made.factory);
        notAStep(r, node, `This call of factory \`${made.factory.name}\` makes a step nx-steps cannot see (${placeOf(r, node)}): it becomes no target.`);
      } else if (r.apiName(node.expression) === 'step' && !factorySteps.has(node)) {
        notAStep(r, node, `This step(...) is ${placeOf(r, node)}: it becomes no target.`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  for (const [call, f] of factorySteps) {
    if (consumed.has(call) || calledFactories.has(f)) continue;
    notAStep(r, call, `Factory \`${f.name}\` is never called as \`export const name = ${f.name}(...)\`: its step becomes no target.`, 'warning');
  }
}
