import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODE_MEANINGS, DiagnosticCodes } from './core/diagnostics';
import { ARCHITECTURE_DOC, codeTable, documentedTable } from './test-utils/code-table';

describe('diagnostic codes', () => {
  it('are unique: each code has one name', () => {
    const codes = Object.values(DiagnosticCodes);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('each has its meaning, and no meaning is left without a code', () => {
    expect(Object.keys(CODE_MEANINGS).sort()).toEqual(Object.values(DiagnosticCodes).sort());
  });

  it('are listed in docs/architecture.md as diagnostics.ts defines them (npm run docs:codes rewrites the table)', () => {
    expect(documentedTable(fs.readFileSync(ARCHITECTURE_DOC, 'utf8'))).toBe(codeTable());
  });
});
