/**
 * Whether a step's code can observe who it is: its name and its project's
 * (`ctx.step`, `ctx.project`), or where its modules sit (the project's
 * folder: `__dirname`, `import.meta.url`, a stack trace). Two steps that run
 * the same code on the same inputs share a key, and so a result, only when
 * their code provably cannot tell them apart; otherwise the step's identity
 * joins its key (fingerprint/step-key.ts `identityInKey`).
 *
 * Two checks, both conservative (a doubt is a reason):
 * - the step function's context parameter (`stepContextReasons`): only
 *   `ctx.log`, `ctx.metric`, `ctx.progress` and `ctx.outDir` may be read; ctx
 *   passed anywhere, spread, destructured with `step` or `project`, read
 *   with a computed key, or reached through `arguments` or a rest parameter
 *   counts;
 * - every unit the closure walk reaches, module top levels included
 *   (`identityUse`, called by the reference walker): the module's own path
 *   (`__dirname`, `__filename`, `import.meta`, `require.resolve`, `module`,
 *   `exports`, `require.cache`, the CommonJS wrapper's `arguments`, top-level
 *   `this`), stack traces (`.stack`, `Error.captureStackTrace`), Nx's task
 *   variables (`process.env` read whole, by a computed name or an `NX_`
 *   name; `process` itself as a value), and code run from a string (`eval`,
 *   `Function`), which may read any of these.
 * The closure walk adds what it cannot analyse (closure-walk.ts): npm
 * packages (other than nx-steps), builtins that expose the process (process,
 * module, child_process, worker_threads, vm, ...), unresolved imports and
 * loads it cannot name.
 */
import type { TS } from '../util/typescript';
import { describeAt, unwrapExpression } from './loads';

/** What a step may read of its context without learning who it is. */
const CONTEXT_OK: ReadonlySet<string> = new Set(['log', 'metric', 'progress', 'outDir']);

/** `process` members that say nothing about which task runs (its environment and arguments do). */
const PROCESS_OK: ReadonlySet<string> = new Set([
  'cwd',
  'version',
  'versions',
  'platform',
  'arch',
  'hrtime',
  'memoryUsage',
  'cpuUsage',
  'resourceUsage',
  'uptime',
  'nextTick',
  'stdout',
  'stderr',
  'exit',
  'exitCode',
  'emitWarning',
  'release',
  'pid',
  'ppid',
  'execPath',
  'on',
  'once',
  'off',
  'umask',
  'features',
]);

const GLOBALS = new Set(['globalThis', 'global', 'self', 'window']);

/**
 * The module's own exports read (`module.exports`, `exports`, top-level
 * `this` in CommonJS): they name its steps, and reach its other exports'
 * code by property. The walk then takes the whole module (closure-walk.ts).
 */
export const SELF_EXPORTS = "the module's own exports (module.exports, exports, top-level this)";

/** `exports.x = ...`, `module.exports = ...`, `module.exports.x = ...`: written, not read. */
function isWriteTarget(ts: typeof TS, n: TS.Node): boolean {
  const { node, parent } = outer(ts, n);
  if (!parent) return false;
  if (ts.isBinaryExpression(parent) && parent.left === node && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return true;
  return isMemberOf(ts, parent, node) && isWriteTarget(ts, parent);
}
const GLOBAL_DANGER = new Set(['process', 'require', 'module', 'exports', 'eval', 'Function']);
const STACK = new Set(['stack', 'captureStackTrace', 'prepareStackTrace']);

/** Builtins whose API reaches the process (its environment, its modules' paths, other code): loading one counts. */
export const IDENTITY_BUILTINS: ReadonlySet<string> = new Set([
  'process',
  'module',
  'child_process',
  'worker_threads',
  'cluster',
  'inspector',
  'inspector/promises',
  'vm',
  'repl',
  'v8',
]);

/** The node a value sits in once parentheses and type-only wrappers are erased, and that parent. */
function outer(ts: typeof TS, n: TS.Node): { node: TS.Node; parent: TS.Node | undefined } {
  let node = n;
  while (node.parent && (ts.isParenthesizedExpression(node.parent) || unwrapExpression(ts, node.parent as TS.Expression) !== node.parent)) node = node.parent;
  return { node, parent: node.parent };
}

function staticName(ts: typeof TS, access: TS.Node, of: TS.Node): string | undefined {
  if (ts.isPropertyAccessExpression(access) && access.expression === of) return access.name.text;
  if (ts.isElementAccessExpression(access) && access.expression === of && ts.isStringLiteralLike(access.argumentExpression))
    return access.argumentExpression.text;
  return undefined;
}

function isMemberOf(ts: typeof TS, access: TS.Node | undefined, of: TS.Node): boolean {
  return !!access && (ts.isPropertyAccessExpression(access) || ts.isElementAccessExpression(access)) && access.expression === of;
}

/** `process.env.X` is fine for a static X that is not one of Nx's (`NX_TASK_TARGET_PROJECT`...); anything else of `process` counts. */
function processUse(ts: typeof TS, id: TS.Identifier): string | undefined {
  const { node, parent } = outer(ts, id);
  const member = parent ? staticName(ts, parent, node) : undefined;
  if (member === undefined || !parent) return 'process';
  if (PROCESS_OK.has(member)) return undefined;
  if (member !== 'env') return `process.${member}`;
  const env = outer(ts, parent);
  const name = env.parent ? staticName(ts, env.parent, env.node) : undefined;
  return name !== undefined && !name.startsWith('NX_') ? undefined : `process.env${name ? `.${name}` : ''} (Nx's task variables name the step)`;
}

/** `module.require(...)`, `module.require.bind(...)`, `const r = module.require`. */
function requireCalledOrBound(ts: typeof TS, access: TS.Node): boolean {
  const { node, parent } = outer(ts, access);
  if (!parent) return false;
  if (ts.isCallExpression(parent) && parent.expression === node) return true;
  if (ts.isVariableDeclaration(parent) && parent.initializer === node) return true;
  return ts.isPropertyAccessExpression(parent) && parent.name.text === 'bind';
}

function requireUse(ts: typeof TS, id: TS.Identifier): string | undefined {
  const { node, parent } = outer(ts, id);
  if (parent && ts.isCallExpression(parent) && parent.expression === node) return undefined;
  const member = parent ? staticName(ts, parent, node) : undefined;
  // require.resolve is reported where it is called (a load); cache, main and the rest name modules by path.
  if (member === 'resolve') return undefined;
  if (member !== undefined) return `require.${member}`;
  // `const load = require` is followed as an alias (loads.ts); any other use of require as a value is reported there too.
  if (parent && ts.isVariableDeclaration(parent) && parent.initializer === node) return undefined;
  if (parent && ts.isTypeOfExpression(parent)) return undefined;
  return 'require as a value';
}

/**
 * Why a use of a name the module does not declare may reveal who the step
 * is, or undefined. `inFunction`: inside a `function`, method or class,
 * where `arguments` and `this` are that function's.
 */
export function freeNameUse(ts: typeof TS, id: TS.Identifier, inFunction: boolean): string | undefined {
  const { node, parent } = outer(ts, id);
  switch (id.text) {
    case '__dirname':
    case '__filename':
      return id.text;
    case 'module': {
      const member = parent ? staticName(ts, parent, node) : undefined;
      if (member === 'exports' && parent) return isWriteTarget(ts, parent) ? undefined : SELF_EXPORTS;
      // module.require called, or bound to a name (an alias, followed: loads.ts), is a load; handed on, one nx-steps cannot follow.
      return member === 'require' && parent && !requireCalledOrBound(ts, parent) ? 'require as a value' : 'module';
    }
    case 'exports':
      return isWriteTarget(ts, node) ? undefined : SELF_EXPORTS;
    case 'require':
      return requireUse(ts, id);
    case 'arguments':
      return inFunction ? undefined : "arguments (CommonJS's module wrapper: exports, require, module, __filename, __dirname)";
    case 'eval':
    case 'Function':
      return `${id.text} (code from a string sees what this code sees)`;
    case 'process':
      return processUse(ts, id);
    default:
      if (!GLOBALS.has(id.text)) return undefined;
      {
        const member = parent ? staticName(ts, parent, node) : undefined;
        if (member !== undefined && !GLOBAL_DANGER.has(member)) return undefined;
        return member ? `${id.text}.${member}` : `${id.text} (as a value)`;
      }
  }
}

/** Other nodes that reveal the module's path: `import.meta`, top-level `this`, stack traces. */
export function nodeUse(ts: typeof TS, n: TS.Node, inFunction: boolean): string | undefined {
  if (ts.isMetaProperty(n) && n.keywordToken === ts.SyntaxKind.ImportKeyword) return 'import.meta';
  if (n.kind === ts.SyntaxKind.ThisKeyword && !inFunction) return SELF_EXPORTS;
  if (ts.isPropertyAccessExpression(n) && STACK.has(n.name.text)) return `.${n.name.text} (stack traces name this module's file)`;
  return undefined;
}

type FunctionNode = TS.ArrowFunction | TS.FunctionExpression | TS.FunctionDeclaration;

function isFunctionNode(ts: typeof TS, n: TS.Node): n is FunctionNode {
  return ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n);
}

/** The function a step is written with: inline, or a function declared at the top of this file under that name. */
function stepFunctionNode(ts: typeof TS, expr: TS.Expression, sf: TS.SourceFile): FunctionNode | string {
  const e = unwrapExpression(ts, expr);
  if (isFunctionNode(ts, e)) return e;
  if (!ts.isIdentifier(e)) return 'the step function is computed';
  for (const s of sf.statements) {
    if (ts.isFunctionDeclaration(s) && s.name?.text === e.text && s.body) return s;
    if (!ts.isVariableStatement(s)) continue;
    for (const d of s.declarationList.declarations) {
      const init = d.initializer && unwrapExpression(ts, d.initializer);
      if (ts.isIdentifier(d.name) && d.name.text === e.text && init && isFunctionNode(ts, init)) return init;
    }
  }
  return `the step function \`${e.text}\` is not declared in this file`;
}

function patternReasons(ts: typeof TS, sf: TS.SourceFile, pattern: TS.BindingName): string[] {
  if (!ts.isObjectBindingPattern(pattern)) return [describeAt(sf, pattern, `ctx as ${pattern.getText(sf)}`)];
  return pattern.elements.flatMap((el) => {
    const prop = el.propertyName ?? el.name;
    const name = ts.isIdentifier(prop) || ts.isStringLiteralLike(prop) ? prop.text : undefined;
    return el.dotDotDotToken || name === undefined || !CONTEXT_OK.has(name) ? [describeAt(sf, el, `ctx: ${el.getText(sf)}`)] : [];
  });
}

/** Every use of the context parameter `name` in `fn` that is not a read of an allowed member. */
function contextUses(ts: typeof TS, sf: TS.SourceFile, fn: FunctionNode, param: TS.Identifier): string[] {
  const reasons: string[] = [];
  const visit = (n: TS.Node): void => {
    if (ts.isIdentifier(n) && n.text === param.text && n !== param) {
      const { node, parent } = outer(ts, n);
      const member = parent ? staticName(ts, parent, node) : undefined;
      const property = !!parent && (ts.isPropertyAccessExpression(parent) || ts.isQualifiedName(parent)) && (parent as { name?: TS.Node }).name === n;
      const inType = !!parent && ts.isTypeReferenceNode(parent);
      if (property || inType || (member !== undefined && CONTEXT_OK.has(member))) return;
      if (parent && ts.isVariableDeclaration(parent) && parent.initializer === node) reasons.push(...patternReasons(ts, sf, parent.name));
      else reasons.push(describeAt(sf, isMemberOf(ts, parent, node) && parent ? parent : n));
      return;
    }
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn, visit);
  return reasons;
}

/**
 * Why the step function may learn who it is through its arguments, as
 * `line:col text` (empty when it provably cannot): see the header.
 */
export function stepContextReasons(ts: typeof TS, fnExpr: TS.Expression, sf: TS.SourceFile): string[] {
  const fn = stepFunctionNode(ts, fnExpr, sf);
  if (typeof fn === 'string') return [describeAt(sf, fnExpr, fn)];
  const reasons: string[] = [];
  if (!ts.isArrowFunction(fn)) {
    const seen = (n: TS.Node): void => {
      if (ts.isIdentifier(n) && n.text === 'arguments') reasons.push(describeAt(sf, n));
      else if (!ts.isFunctionDeclaration(n) && !ts.isFunctionExpression(n)) ts.forEachChild(n, seen);
    };
    if (fn.body) ts.forEachChild(fn.body, seen);
  }
  const params = fn.parameters.filter((p) => !(ts.isIdentifier(p.name) && p.name.text === 'this'));
  const [input, ctx] = params;
  if (input?.dotDotDotToken) return [...reasons, describeAt(sf, input, `${input.getText(sf)} (a rest parameter receives ctx)`)];
  if (!ctx) return reasons;
  if (ctx.dotDotDotToken) return [...reasons, describeAt(sf, ctx, `${ctx.getText(sf)} (a rest parameter receives ctx)`)];
  if (!ts.isIdentifier(ctx.name)) return [...reasons, ...patternReasons(ts, sf, ctx.name)];
  return [...reasons, ...contextUses(ts, sf, fn, ctx.name)];
}
