import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { StoredInstance } from './decode';
import { renderValue } from './render-value';

describe('renderValue', () => {
  it('prints rows as a table and says how many more there are', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i, x: i / 4, label: `l${i}` }));
    expect(renderValue({ rows }, { rows: 3 })).toBe(
      [
        '{',
        '  rows: Array(1,000) of rows',
        '    id  x     label',
        '    --  ----  -----',
        '    0   0     l0',
        '    1   0.25  l1',
        '    2   0.5   l2',
        '    … 997 more rows',
        '}',
      ].join('\n'),
    );
  });

  it('summarises typed arrays and long arrays instead of printing them', () => {
    const text = renderValue({
      w: Float64Array.from({ length: 1_000_000 }, (_, i) => i),
      ids: Array.from({ length: 100 }, (_, i) => i),
      b: Buffer.from('hello'),
    });
    expect(text).toContain('w: Float64Array(1,000,000) [0, 1, 2, 3, 4, 5, …]  min 0, max 999999, mean 499999.5');
    expect(text).toContain('ids: Array(100) [0, 1, 2, 3, 4, 5, 6, 7, … 92 more]');
    expect(text).toContain('b: Buffer(5 bytes) <68 65 6c 6c 6f>');
  });

  it('prints an Arrow table with its schema and first rows', () => {
    const { tableFromArrays } = createRequire(__filename)('apache-arrow') as typeof import('apache-arrow');
    const text = renderValue(tableFromArrays({ id: Int32Array.from([1, 2, 3]), x: Float64Array.from([0.5, 1, 1.5]) }), { rows: 2 });
    expect(text.split('\n')).toEqual([
      'Arrow Table: 3 rows × 2 columns (id: Int32, x: Float64)',
      '  id  x',
      '  --  ---',
      '  1   0.5',
      '  2   1',
      '  … 1 more rows',
    ]);
  });

  it('shows Maps, Sets, special numbers and registered types without running user code', () => {
    const text = renderValue({ m: new Map([['a', 1]]), s: [-0, NaN], n: 10n, model: new StoredInstance('ml.Forest', { trees: 3 }) });
    expect(text).toContain('m: Map(1) ["a" => 1]');
    expect(text).toContain('s: Array(2) [-0, NaN]');
    expect(text).toContain('n: 10n');
    expect(text).toContain('model: ml.Forest (registered type; its stored data:) {');
  });
});
