import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '../diagnostics';
import { parsePipelineFile } from './parse-pipeline';

const ETL = `import { pipeline, step, file } from 'nx-steps';
import { readFile } from 'node:fs/promises';
import { parseCsv } from './csv';

export default pipeline({ name: 'etl' });

const LIMIT = 100;

export const load_data = step({ args: { file_path: file('data/raw.csv'), limit: LIMIT } },
  async ({ file_path }) => parseCsv(await readFile(file_path, 'utf8')));

export const clean_data = step({ needs: { raw: load_data }, cache: 'input_hash' },
  ({ raw }) => raw.filter((r) => r.value !== null));

export const upload = step({ needs: { clean: clean_data }, params: { table: 'clean' }, cache: false },
  async ({ clean, table }, ctx) => ({ uploaded: clean.length }));
`;

describe('parsePipelineFile', () => {
  it('reads the declarations of the issue example without running them', () => {
    const parsed = parsePipelineFile('etl/etl.pipeline.ts', ETL);
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.pipeline).toMatchObject({ name: 'etl' });
    expect(parsed.steps.map((s) => s.exportedAs)).toEqual(['load_data', 'clean_data', 'upload']);
    const [load, clean, upload] = parsed.steps;
    expect(load?.args).toMatchObject({
      file_path: { kind: 'file', path: 'data/raw.csv', external: false },
      limit: { kind: 'value', value: 100 },
    });
    expect(load?.fn.refs).toEqual(['parseCsv', 'readFile']);
    expect(clean?.needs).toMatchObject({ raw: { local: 'load_data' } });
    expect(clean?.cache).toEqual({ enabled: true, strategy: 'input_hash' });
    expect(upload?.cache).toEqual({ enabled: false });
    expect(upload?.params).toEqual({ table: 'clean' });
  });

  it('reports a value that must be static with file:line:col and a code frame', () => {
    const src = `import { step } from 'nx-steps';\nexport const train = step({ params: { lr: getLr() } }, () => 1);\n`;
    const parsed = parsePipelineFile('ml/ml.pipeline.ts', src);
    expect(formatDiagnostics(parsed.diagnostics, () => src)).toMatchInlineSnapshot(`
      "ml/ml.pipeline.ts:2:43 - error NXS101: \`params.lr\` must be a literal value: function calls run at run time, not when the graph is built.

        2 | export const train = step({ params: { lr: getLr() } }, () => 1);
          |                                           ^^^^^^^

        nx-steps reads declarations without running them. Write the value inline (or as a top-level const); to vary a param for one run, override it: nx run <project>:<step> --<param>=<value>."
    `);
  });

  it('ignores comments and layout in code digests, but not token changes', () => {
    const a = parsePipelineFile('p.pipeline.ts', `import { step } from 'nx-steps';\nexport const s = step(() => { return 1 + 2; });\n`);
    const b = parsePipelineFile(
      'p.pipeline.ts',
      `import { step } from 'nx-steps';\n// a comment\nexport const s = step(() => {\n  /* why */ return 1 +\n    2;\n});\n`,
    );
    const c = parsePipelineFile('p.pipeline.ts', `import { step } from 'nx-steps';\nexport const s = step(() => { return 1 + 3; });\n`);
    expect(b.steps[0]?.fn.digest).toBe(a.steps[0]?.fn.digest);
    expect(c.steps[0]?.fn.digest).not.toBe(a.steps[0]?.fn.digest);
  });

  it('reports a syntax error and keeps going', () => {
    const parsed = parsePipelineFile('x/x.pipeline.ts', `import { step } from 'nx-steps';\nexport const a = step(() => {;\n`);
    expect(parsed.diagnostics[0]).toMatchObject({ code: 'NXS100', location: { file: 'x/x.pipeline.ts' } });
    expect(parsed.steps).toEqual([]);
  });
});
