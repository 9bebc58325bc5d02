/**
 * The README's Arrow example, type-checked with the repository
 * (`npm run typecheck`). A step returns an apache-arrow Table; the step that
 * needs it receives a Table again.
 */
import { tableFromArrays } from 'apache-arrow';
import { pipeline, step } from 'nx-steps';

export default pipeline({ name: 'tables' });

const ids = [1, 2, 3];
const xs = [0.5, 1.5, 2.5];

/** Stands in for a model fit: the mean of a column. */
function fit(x: Float64Array): number {
  return x.reduce((a, b) => a + b, 0) / x.length;
}

export const features = step(() => tableFromArrays({ id: Int32Array.from(ids), x: Float64Array.from(xs) }));
export const train = step({ needs: { t: features } }, ({ t }) => fit(t.getChild('x')!.toArray()));  // t: Table
