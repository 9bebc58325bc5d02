/**
 * Reads pipeline files through the parse cache (keyed by path and content),
 * so graph construction re-parses only files that changed.
 *
 * A file with a syntax error keeps the steps of its last good version as
 * targets, each failing with the syntax error when run: the project graph
 * stays stable while the user types, and `nx run` says what is wrong instead
 * of "target not found".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { opaqueModule } from '../code/module-index';
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes, internalError } from '../diagnostics';
import { deepestNesting, isStackOverflow, lineAndColumn } from '../util/nesting';
import { hashBytes, hashParts } from '../util/xxhash';
import type { ParsedPipelineFile } from '../model/declarations';
import type { DiskCache } from '../util/disk-cache';
import { PARSER_VERSION, parsePipelineFile } from './parse-pipeline';

export function loadPipelineFile(workspaceRoot: string, file: string, cache: DiskCache): ParsedPipelineFile {
  let text: string;
  try {
    text = fs.readFileSync(path.join(workspaceRoot, file), 'utf8');
  } catch (e) {
    return unreadable(file, {
      code: DiagnosticCodes.syntax,
      severity: 'error',
      message: `Cannot read ${file}: ${(e as Error).message}`,
      location: { file, line: 1, column: 1 },
    });
  }
  const key = hashParts([String(PARSER_VERSION), file, hashBytes(text)]);
  let parsed = cache.get<ParsedPipelineFile>('parse', key);
  if (!parsed) {
    try {
      parsed = parsePipelineFile(file, text);
    } catch (e) {
      // A bug of ours must not take the whole project graph down: report it on this file.
      if (!isStackOverflow(e)) return unreadable(file, internalError(e, { location: { file, line: 1, column: 1 } }));
      // Too deep to parse: a syntax error of its own, so the file keeps its last good steps (below).
      const digest = hashBytes(text);
      parsed = { file, digest, steps: [], module: opaqueModule(digest), diagnostics: [tooDeep(file, text)] };
    }
    cache.set('parse', key, parsed);
  }
  const lastGoodKey = hashParts([String(PARSER_VERSION), 'last-good', file]);
  const syntax = parsed.diagnostics.filter((d) => d.code === DiagnosticCodes.syntax);
  if (syntax.length === 0) {
    // Read before writing: a warm graph build reads every pipeline file, and
    // rewriting an unchanged pointer cost one atomic write per file each time
    // (profiled: 20 ms of 100 files' 50).
    if (parsed.steps.length > 0 && cache.get<{ key: string }>('parse', lastGoodKey)?.key !== key) cache.set('parse', lastGoodKey, { key });
    return parsed;
  }
  // Verified like any entry (each names its key, disk-cache.ts), and it must be a parse of this very file.
  const pointer = cache.get<{ key: string }>('parse', lastGoodKey);
  const lastGood = typeof pointer?.key === 'string' ? cache.get<ParsedPipelineFile>('parse', pointer.key) : undefined;
  if (!lastGood || lastGood.file !== file || !Array.isArray(lastGood.steps)) return parsed;
  const first = syntax[0] as Diagnostic;
  return {
    ...lastGood,
    digest: parsed.digest,
    diagnostics: [...parsed.diagnostics, ...lastGood.steps.map((s): Diagnostic => ({ ...first, step: s.exportedAs ?? s.local }))],
  };
}

/** The parser (or a walk over its tree) ran out of stack: located where the file nests deepest. */
function tooDeep(file: string, text: string): Diagnostic {
  const deepest = deepestNesting(text);
  return {
    code: DiagnosticCodes.syntax,
    severity: 'error',
    message: `The file nests too deeply to be read (${deepest.depth} levels of parentheses, brackets or braces): the parser ran out of stack here.`,
    hint: 'Break the expression up (name its parts with consts); until then the steps of this file keep their last known targets and fail when run.',
    location: { file, ...lineAndColumn(text, deepest.offset), length: 1 },
  };
}

/** A file without steps that fails with its one diagnostic (unreadable, or a bug of ours reading it). */
function unreadable(file: string, diagnostic: Diagnostic): ParsedPipelineFile {
  return {
    file,
    digest: 'unreadable',
    steps: [],
    module: opaqueModule('unreadable'),
    diagnostics: [diagnostic],
  };
}
