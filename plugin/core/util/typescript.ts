/**
 * TypeScript is loaded lazily: it costs about a quarter of a second, and the
 * common paths (graph construction and the pre-task hook with warm caches)
 * never need it.
 */
import type * as TS from 'typescript';

let loaded: typeof TS | undefined;

export function typescript(): typeof TS {
  loaded ??= require('typescript') as typeof TS;
  return loaded;
}

export type { TS };

export function scriptKindFor(ts: typeof TS, file: string): TS.ScriptKind {
  if (/\.[cm]?tsx$/.test(file)) return ts.ScriptKind.TSX;
  if (/\.[cm]?jsx$/.test(file)) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(file)) return ts.ScriptKind.JS;
  if (file.endsWith('.json')) return ts.ScriptKind.JSON;
  return ts.ScriptKind.TS;
}

export function parseSource(file: string, text: string): TS.SourceFile {
  const ts = typescript();
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKindFor(ts, file));
}

/** Syntax errors found while parsing (the parser records them without a Program). */
export function syntaxErrors(sf: TS.SourceFile): readonly TS.DiagnosticWithLocation[] {
  return (sf as unknown as { parseDiagnostics?: TS.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
}

/** 1-based line/column of a node's first token, and its length. */
export function locationOf(node: TS.Node, sf: TS.SourceFile): { line: number; column: number; length: number } {
  const start = node.getStart(sf);
  const { line, character } = sf.getLineAndCharacterOfPosition(start);
  return { line: line + 1, column: character + 1, length: Math.max(1, node.getEnd() - start) };
}
