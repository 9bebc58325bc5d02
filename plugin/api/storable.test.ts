import type { Tree } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { typeErrors } from '../../generators/test-utils/typecheck';

const noTree = { read: () => null } as unknown as Tree;

describe('a step whose result cannot be stored is a type error', { timeout: 120_000 }, () => {
  it('at the step, naming the path inside the value, before anything runs', () => {
    const file = [
      "import { pipeline, step } from 'nx-steps';",
      "export default pipeline({ name: 'ml' });",
      'class Forest { trees = [1]; predict(x: number) { return x; } }',
      'export const load = step(() => [{ id: 1, x: 0.5 }]);',
      'export const train = step({ needs: { rows: load } }, async ({ rows }) => ({ n: rows.length, model: new Forest() }));',
      '',
    ].join('\n');
    const errors = typeErrors(noTree, [], { 'ml/ml.pipeline.ts': file });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^ml\/ml\.pipeline\.ts:5: /); // line 5: export const train = step(...)
    expect(errors[0]).toContain('result.model.predict is a function');
    expect(file.split('\n')[4]).toContain('export const train');
  });

  it('accepts a class once it is registered and declared in StorableTypes, and apache-arrow-like tables', () => {
    const file = [
      "import { registerType, step } from 'nx-steps';",
      'export class Forest { trees = [1]; predict(x: number) { return x; } toJSON() { return { trees: this.trees }; } static fromJSON(d: { trees: number[] }) { return new Forest(); } }',
      "registerType('ml.Forest', Forest);",
      "declare module 'nx-steps' { interface StorableTypes { forest: Forest } }",
      'declare const table: { schema: object; batches: object[]; numRows: number; numCols: number; getChild(name: string): unknown };',
      'export const train = step(async () => ({ model: new Forest(), table }));',
      '',
    ].join('\n');
    expect(typeErrors(noTree, [], { 'ml/ml.pipeline.ts': file })).toEqual([]);
  });
});
