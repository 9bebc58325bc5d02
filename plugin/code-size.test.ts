/**
 * Small files and short functions (style.md): no source file over MAX_FILE_LINES lines, no function over
 * MAX_FUNCTION_LINES lines unless its leading comment says why (`Why it is long: ...`). Tests are left out.
 * `node --import tsx plugin/test-utils/sizes.ts` lists the offenders.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './test-utils/imports';
import { LONG_REASON, longFunctions, MAX_FILE_LINES, MAX_FUNCTION_LINES, offenders } from './test-utils/sizes';

describe('code size', () => {
  it(`no source file over ${MAX_FILE_LINES} lines, no function over ${MAX_FUNCTION_LINES} lines without a comment saying why`, () => {
    expect(offenders()).toEqual([]);
  });

  it('finds a long function, and accepts one whose comment says why it is long', () => {
    const dir = fs.mkdtempSync(path.join(REPO_ROOT, 'plugin', 'test-utils', '.size-'));
    try {
      const body = Array.from({ length: MAX_FUNCTION_LINES }, (_, i) => `  const v${i} = ${i};`).join('\n');
      const file = path.join(dir, 'long.ts');
      fs.writeFileSync(
        file,
        `export function long(): void {\n${body}\n}\n\n// ${LONG_REASON} a table, one line per case.\nexport const explained = (): void => {\n${body}\n};\n`,
      );
      const rel = path.relative(REPO_ROOT, file).split(path.sep).join('/');
      expect(longFunctions(rel).map((f) => f.name)).toEqual(['long']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
