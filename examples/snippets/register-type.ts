/**
 * The README's registerType example, type-checked with the repository
 * (`npm run typecheck`).
 */
import { registerType, step } from 'nx-steps';

/** Stands in for a model library's class (ml-random-forest's RandomForestRegression has the same shape). */
class RandomForestRegression {
  constructor(readonly trees: readonly number[]) {}
  predict(x: number): number {
    return this.trees.reduce((a, t) => a + t * x, 0);
  }
  toJSON(): { trees: number[] } {
    return { trees: [...this.trees] };
  }
  static load(data: { trees: number[] }): RandomForestRegression {
    return new RandomForestRegression(data.trees);
  }
}

registerType('ml.Forest', RandomForestRegression, { toJSON: (m) => m.toJSON(), fromJSON: (d) => RandomForestRegression.load(d) });
declare module 'nx-steps' { interface StorableTypes { forest: RandomForestRegression } }  // for the type checker

export const train = step(() => ({ model: new RandomForestRegression([0.5, 1.5]) }));
