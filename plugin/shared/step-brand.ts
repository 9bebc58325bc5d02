/**
 * How a value is known to be a step: the brand `step()` puts on what it returns. Shared by the
 * declaration API (which sets it) and the engine (which checks what a pipeline module exports), so
 * neither imports the other's values (docs/architecture.md, the dependency rule).
 */
import type { Step } from '../api/step';

export const STEP_BRAND = Symbol.for('nx-steps.step');

export function isStep(value: unknown): value is Step<unknown> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[STEP_BRAND] === true;
}
