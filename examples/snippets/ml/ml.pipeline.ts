/** A small pipeline for the README's script example (examples/snippets/results-script.mts). */
import { pipeline, step } from 'nx-steps';

export default pipeline({ name: 'ml' });

export const train = step({ params: { lr: 0.1 } }, ({ lr }) => ({ weights: [lr, lr * 2] }));
export const evaluate = step({ needs: { model: train } }, ({ model }) => ({ f1: 0.8 + model.weights[0]! / 10 }));
