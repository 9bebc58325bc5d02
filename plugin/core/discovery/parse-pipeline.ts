/**
 * Reads a pipeline file statically: which steps it declares, with which
 * args, needs, params and cache settings. No user code runs. A declaration
 * that cannot be read statically becomes a diagnostic pointing at the exact
 * expression, and the rest of the file is still read.
 */
import type { Json } from '../../api/json';
import type { ModuleIndex } from '../code/module-index';
import { buildModuleIndex, MODULE_INDEX_VERSION, opaqueModule } from '../code/module-index';
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import { own } from '../util/own';
import { hashBytes } from '../util/xxhash';
import type { ParsedPipelineFile, PipelineDeclaration, StepDeclaration } from '../model/declarations';
import type { TS } from '../util/typescript';
import { parseSource, syntaxErrors, typescript } from '../util/typescript';
import type { Factory } from './factories';
import { factoryCallOf, findFactories, readFactoryStep, reportStrayCalls } from './factories';
import { API_MODULE, FileReader } from './file-reader';
import { readParamValues, readStep } from './read-step';

export { API_MODULE, FileReader } from './file-reader';
export type { MadeBy } from './file-reader';

/** Bump when the shape of ParsedPipelineFile changes: it keys the parse cache (with the code index's version, whose units it holds). */
export const PARSER_VERSION = 7 * 1000 + MODULE_INDEX_VERSION;

const PIPELINE_OPTION_KEYS = ['name', 'cache', 'description', 'params'] as const;

export function parsePipelineFile(file: string, text: string): ParsedPipelineFile {
  const digest = hashBytes(text);
  const sf = parseSource(file, text);
  const errors = syntaxErrors(sf);
  if (errors.length > 0) return { file, digest, steps: [], module: opaqueModule(digest), diagnostics: syntaxDiagnostics(file, sf, errors) };
  const module = buildModuleIndex(sf);
  const reader = new FileReader(file, sf, module);
  const read = readDeclarations(reader, sf, module);
  if (read.steps.length === 0 && reader.diagnostics.length === 0) reader.diagnostics.push(noStepsWarning(file));
  return {
    file,
    digest,
    ...(read.pipeline ? { pipeline: read.pipeline } : {}),
    steps: read.steps,
    module,
    diagnostics: reader.diagnostics,
  };
}

/** The first five syntax errors; until they are fixed the file keeps its last good steps (load.ts). */
function syntaxDiagnostics(file: string, sf: TS.SourceFile, errors: readonly TS.DiagnosticWithLocation[]): Diagnostic[] {
  const ts = typescript();
  return errors.slice(0, 5).map((e) => {
    const { line, character } = sf.getLineAndCharacterOfPosition(e.start ?? 0);
    return {
      code: DiagnosticCodes.syntax,
      severity: 'error',
      message: `Syntax error: ${ts.flattenDiagnosticMessageText(e.messageText, '\n')}`,
      hint: 'Fix the syntax; until then the steps of this file keep their last known targets and fail when run.',
      location: { file, line: line + 1, column: character + 1, length: Math.max(1, e.length ?? 1) },
    };
  });
}

function noStepsWarning(file: string): Diagnostic {
  return {
    code: DiagnosticCodes.noSteps,
    severity: 'warning',
    message: `No steps found: the file matches the pipeline pattern but declares no \`export const name = step(...)\` imported from '${API_MODULE}'.`,
    hint: `Declare steps with: import { step } from '${API_MODULE}'; export const name = step({ ... }, fn).`,
    location: { file, line: 1, column: 1, length: 1 },
  };
}

interface FileDeclarations {
  pipeline?: PipelineDeclaration;
  readonly steps: StepDeclaration[];
}

/** The top-level statements that declare the pipeline and its steps; every other step(...) call is reported. */
function readDeclarations(reader: FileReader, sf: TS.SourceFile, module: ModuleIndex): FileDeclarations {
  const ts = reader.ts;
  const read: FileDeclarations = { steps: [] };
  const factories = findFactories(reader, sf, module);
  // Calls that became declarations; every other step(...) or factory call is reported (factories.ts).
  const consumed = new Set<TS.Node>();
  // `const ml = pipeline({...}); export default ml;`: steps can then read ml.params.
  const defaultExport = sf.statements.flatMap((s) =>
    ts.isExportAssignment(s) && !s.isExportEquals && ts.isIdentifier(s.expression) ? [s.expression.text] : [],
  )[0];
  for (const s of sf.statements) {
    if (ts.isExportAssignment(s) && !s.isExportEquals) {
      const api = reader.apiCall(s.expression);
      if (api?.name === 'pipeline') read.pipeline = readPipeline(reader, api.call);
      continue;
    }
    if (!ts.isVariableStatement(s)) continue;
    const isExported = !!ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    for (const d of s.declarationList.declarations) {
      readVariable(reader, { module, factories, consumed, defaultExport, isExported, read }, d);
    }
  }
  reportStrayCalls(reader, sf, factories, consumed);
  return read;
}

interface StatementContext {
  readonly module: ModuleIndex;
  readonly factories: ReadonlyMap<string, Factory>;
  readonly consumed: Set<TS.Node>;
  readonly defaultExport: string | undefined;
  readonly isExported: boolean;
  readonly read: FileDeclarations;
}

/** `const x = pipeline(...)`, `export const x = step(...)` or `export const x = factory(...)`; anything else is left alone. */
function readVariable(reader: FileReader, c: StatementContext, d: TS.VariableDeclaration): void {
  const ts = reader.ts;
  const api = reader.apiCall(d.initializer);
  const made = api ? undefined : factoryCallOf(reader, c.factories, d.initializer);
  if (!api && !made) return;
  if (!ts.isIdentifier(d.name)) {
    const what = api?.name ?? 'step';
    reader.report(DiagnosticCodes.unsupportedDeclaration, d.name, `Declare each ${what} under its own name.`, `Write export const name = ${what}(...).`);
    return;
  }
  if (api?.name === 'pipeline') {
    if (d.name.text !== c.defaultExport) {
      reader.warn(
        DiagnosticCodes.unsupportedDeclaration,
        d,
        'The pipeline declaration must be the default export.',
        "Write export default pipeline({ name: 'etl' }).",
      );
    }
    c.read.pipeline ??= readPipeline(reader, api.call);
    return;
  }
  if (api && api.name !== 'step') return;
  const local = d.name.text;
  const exportedAs = c.isExported ? local : exportNameOf(c.module, local);
  let decl: StepDeclaration | undefined;
  if (made) {
    c.consumed.add(made.call).add(made.factory.stepCall);
    decl = readFactoryStep(reader, local, exportedAs, d.name, made.factory, made.call);
  } else if (api) {
    c.consumed.add(api.call);
    decl = readStep(reader, local, exportedAs, d.name, api.call);
  }
  if (!decl) return;
  if (!exportedAs) {
    reader.report(
      DiagnosticCodes.unsupportedDeclaration,
      d.name,
      `Step \`${local}\` is not exported.`,
      `The executor imports steps by name: write export const ${local} = step(...).`,
      local,
    );
  }
  c.read.steps.push(decl);
}

function readPipeline(r: FileReader, call: TS.CallExpression): PipelineDeclaration {
  const decl: { name?: string; cache?: boolean; description?: string; params?: Record<string, Json>; secrets?: string[] } = {};
  const [arg] = call.arguments;
  if (arg) {
    const obj = r.objectLiteral(arg);
    if (!obj) {
      r.report(DiagnosticCodes.notStatic, arg, 'pipeline(...) options must be an object literal.', "Write them inline: pipeline({ name: 'etl' }).");
    } else {
      for (const { key, keyNode, value } of r.properties(obj, 'pipeline options')) {
        if (!(PIPELINE_OPTION_KEYS as readonly string[]).includes(key)) {
          r.report(DiagnosticCodes.badOption, keyNode, `Unknown pipeline option \`${key}\`.`, `Known options: ${PIPELINE_OPTION_KEYS.join(', ')}.`);
          continue;
        }
        if (key === 'params') {
          const params = readParamValues(r, value, '`params` of a pipeline', undefined, "Write pipeline({ name: 'ml', params: { lr: 0.1 } }).");
          if (params) decl.params = params.values;
          if (params?.secrets.length) decl.secrets = params.secrets;
          continue;
        }
        const v = r.staticJson(value, `pipeline option \`${key}\``);
        if (v === undefined) continue;
        if (key === 'cache') {
          if (typeof v === 'boolean') decl.cache = v;
          else
            r.report(
              DiagnosticCodes.badOption,
              value,
              '`cache` of a pipeline must be true or false.',
              'Per-step strategies go on the steps: step({ cache: "input_hash" }, ...).',
            );
        } else if (typeof v === 'string') {
          decl[key as 'name' | 'description'] = v;
        } else {
          r.report(DiagnosticCodes.badOption, value, `\`${key}\` must be a string.`);
        }
      }
    }
  }
  if (decl.name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._@/-]*$/.test(decl.name)) {
    r.report(
      DiagnosticCodes.badOption,
      call,
      `Pipeline name "${decl.name}" is not a valid Nx project name.`,
      'Use letters, digits, ".", "_", "-", "/" or "@", starting with a letter or digit.',
    );
    delete decl.name;
  }
  return { ...decl, loc: r.loc(call) };
}

function exportNameOf(module: ModuleIndex, local: string): string | undefined {
  const same = own(module.exports, local);
  if (same?.kind === 'local' && same.local === local) return local;
  for (const [exported, target] of Object.entries(module.exports)) {
    if (target.kind === 'local' && target.local === local) return exported;
  }
  return undefined;
}
