/**
 * The text edits that add a step to a pipeline file: pure functions of the
 * file's text, so they are tested without a Tree.
 *
 * The new code follows the file's own style (quotes, semicolons,
 * indentation, line endings); a workspace that uses a formatter gets its
 * exact style from formatFiles afterwards. The step goes right after the
 * file's last step, so helpers written below the steps stay below them.
 */
import type { StringChange } from '@nx/devkit';
import { applyChangesToString, ChangeType } from '@nx/devkit';
import { API_MODULE } from '../../plugin/core/discovery/parse-pipeline';
import type { ModuleIndex } from '../../plugin/core/code/module-index';
import type { TS } from '../../plugin/core/util/typescript';
import { parseSource, typescript } from '../../plugin/core/util/typescript';

export interface SourceStyle {
  readonly quote: "'" | '"';
  readonly semi: boolean;
  readonly indent: string;
  readonly eol: '\n' | '\r\n';
}

const DEFAULT_STYLE: SourceStyle = { quote: "'", semi: true, indent: '  ', eol: '\n' };

/** A need as the new step writes it: `needs: { input: local }`. */
export interface NeedRef {
  /** The key the step function receives it under: the upstream step's name. */
  readonly input: string;
  /** The identifier naming the upstream step in this file. */
  readonly local: string;
}

export interface NewStep {
  readonly name: string;
  readonly needs: readonly NeedRef[];
  /** Undefined: not written (the default, code_hash). */
  readonly cache?: 'code_hash' | 'input_hash' | false;
}

/** A named import the file needs, e.g. an upstream step of another pipeline file. */
export interface NamedImport {
  readonly name: string;
  readonly specifier: string;
}

/** Lines longer than this are broken over several, as formatters do. */
const MAX_LINE = 100;

function detectStyle(text: string, sf: TS.SourceFile = parseSource('style.ts', text)): SourceStyle {
  const ts = typescript();
  const imports = sf.statements.filter(ts.isImportDeclaration);
  const first = imports[0];
  const quote = first ? (text[first.moduleSpecifier.getStart(sf)] === '"' ? '"' : "'") : DEFAULT_STYLE.quote;
  const semi = first ? text.slice(first.getStart(sf), first.end).trimEnd().endsWith(';') : DEFAULT_STYLE.semi;
  let indent = DEFAULT_STYLE.indent;
  let fewest = Infinity;
  for (const line of text.split(/\r?\n/)) {
    const m = /^([ \t]+)(\S)/.exec(line);
    // ' * ' continues a block comment: its one space says nothing about indentation.
    if (!m || m[2] === '*') continue;
    const lead = m[1] ?? '';
    if (lead.startsWith('\t')) {
      indent = '\t';
      break;
    }
    if (lead.length < fewest) {
      fewest = lead.length;
      indent = lead;
    }
  }
  return { quote, semi, indent, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

function quoted(s: string, style: SourceStyle): string {
  return `${style.quote}${s.replace(/\\/g, '\\\\').replace(new RegExp(style.quote, 'g'), `\\${style.quote}`)}${style.quote}`;
}

/** `export const name = step(...)`: typed by its needs, with a body to replace. `stepFn` is how this file reaches step(). */
function renderStep(step: NewStep, stepFn: string, style: SourceStyle): string {
  const { indent: i, semi } = style;
  const end = semi ? ';' : '';
  const needs = step.needs.map((n) => (n.input === n.local ? n.input : `${n.input}: ${n.local}`));
  const options = [
    ...(needs.length > 0 ? [`needs: { ${needs.join(', ')} }`] : []),
    ...(step.cache !== undefined ? [`cache: ${step.cache === false ? 'false' : quoted(step.cache, style)}`] : []),
  ];
  const inputs = step.needs.map((n) => n.input);
  const params = inputs.length > 0 ? `({ ${inputs.join(', ')} }, ctx)` : '(_input, ctx)';
  const body = [
    inputs.length > 0
      ? `// ${inputs.join(', ')}: the results of the steps this one needs, typed by them.`
      : '// Declare inputs with args: { name: file(...) }, needs: { upstream_step } or params: { ... }.',
    `ctx.log.info(${quoted(`${step.name}: replace this body with the real work`, style)})${end}`,
    `return ${inputs.length > 0 ? `{ ${inputs.join(', ')} }` : '{ done: true }'}${end}`,
  ];
  const head = `export const ${step.name} = ${stepFn}(`;
  const optionsText = options.length > 0 ? `{ ${options.join(', ')} }` : undefined;
  const oneLine = `${head}${optionsText ? `${optionsText}, ` : ''}${params} => {`;
  const lines =
    oneLine.length <= MAX_LINE
      ? [oneLine, ...body.map((l) => `${i}${l}`), `})${end}`]
      : [head, ...(optionsText ? [`${i}${optionsText},`] : []), `${i}${params} => {`, ...body.map((l) => `${i}${i}${l}`), `${i}},`, `)${end}`];
  return lines.join(style.eol);
}

function importLine(names: readonly string[], specifier: string, style: SourceStyle): string {
  return `import { ${names.join(', ')} } from ${quoted(specifier, style)}${style.semi ? ';' : ''}`;
}

/** How the file names `step` from nx-steps, if it imports it. */
export function stepAccess(module: ModuleIndex): string | undefined {
  for (const [local, b] of Object.entries(module.imports)) {
    if (b.specifier === API_MODULE && !b.typeOnly && b.imported === 'step') return local;
  }
  for (const [local, b] of Object.entries(module.imports)) {
    if (b.specifier === API_MODULE && !b.typeOnly && b.imported === '*') return `${local}.step`;
  }
  return undefined;
}

/** An `import { ... } from 'specifier'` (not type-only) whose list can take one more name. */
function namedImportOf(sf: TS.SourceFile, specifier: string): TS.NamedImports | undefined {
  const ts = typescript();
  for (const s of sf.statements) {
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier) || s.moduleSpecifier.text !== specifier) continue;
    const clause = s.importClause;
    if (!clause || clause.isTypeOnly || !clause.namedBindings || !ts.isNamedImports(clause.namedBindings)) continue;
    if (clause.namedBindings.elements.length > 0) return clause.namedBindings;
  }
  return undefined;
}

interface AddStepEdit {
  /** The existing text of the pipeline file ('' for a new file). */
  readonly text: string;
  readonly file: string;
  readonly module: ModuleIndex;
  /** Names of the file's step declarations (local identifiers), to insert after the last. */
  readonly stepLocals: readonly string[];
  readonly step: NewStep;
  /** Named imports to add first (upstream steps of other pipeline files). `step` itself is handled here. */
  readonly imports: readonly NamedImport[];
}

/** The file's new text. */
export function addStep(edit: AddStepEdit): string {
  const ts = typescript();
  const sf = parseSource(edit.file, edit.text);
  const isNew = edit.text.trim() === '';
  const style = isNew ? DEFAULT_STYLE : detectStyle(edit.text, sf);
  const changes: StringChange[] = [];
  const imports = [...edit.imports];
  let stepFn = stepAccess(edit.module);
  if (stepFn === undefined) {
    stepFn = 'step';
    imports.unshift({ name: 'step', specifier: API_MODULE });
  }

  // Imports: into an existing `import { ... } from` of the same module, else as new lines after the last import.
  const newLines = new Map<string, string[]>();
  for (const imp of imports) {
    const named = namedImportOf(sf, imp.specifier);
    const last = named?.elements[named.elements.length - 1];
    if (last) changes.push({ type: ChangeType.Insert, index: last.end, text: `, ${imp.name}` });
    else newLines.set(imp.specifier, [...(newLines.get(imp.specifier) ?? []), imp.name]);
  }
  const importDecls = sf.statements.filter(ts.isImportDeclaration);
  const lastImport = importDecls[importDecls.length - 1];
  const importText = [...newLines].map(([specifier, names]) => importLine(names, specifier, style));
  if (importText.length > 0) {
    if (lastImport) changes.push({ type: ChangeType.Insert, index: lastImport.end, text: `${style.eol}${importText.join(style.eol)}` });
    else changes.push({ type: ChangeType.Insert, index: 0, text: `${importText.join(style.eol)}${style.eol}${isNew ? '' : style.eol}` });
  }

  // The step: after the last step declaration, else at the end of the file.
  const code = renderStep(edit.step, stepFn, style);
  const locals = new Set(edit.stepLocals);
  const stepStatements = sf.statements.filter(
    (s) => ts.isVariableStatement(s) && s.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && locals.has(d.name.text)),
  );
  const after = stepStatements[stepStatements.length - 1];
  if (after) {
    changes.push({ type: ChangeType.Insert, index: after.end, text: `${style.eol}${style.eol}${code}` });
  } else {
    // One blank line before it: after the imports of a new file, or after the last line of an existing one.
    const lead = isNew ? (importText.length > 0 ? style.eol : '') : edit.text.endsWith('\n') ? style.eol : `${style.eol}${style.eol}`;
    changes.push({ type: ChangeType.Insert, index: edit.text.length, text: `${lead}${code}${style.eol}` });
  }
  return applyChangesToString(edit.text, changes);
}
