/**
 * The README's fan-out and factory examples (Sweeps and fan-out),
 * type-checked with the repository (`npm run typecheck`).
 */
import { pipeline, range, step } from 'nx-steps';

/** Stands in for an expensive simulation of one scenario. */
function runSimulation(scenario: number): number {
  let demand = 0;
  for (let hour = 0; hour < 24; hour++) demand += Math.abs(Math.sin(scenario * 31 + hour));
  return demand;
}

// sims/sims.pipeline.ts
export default pipeline({ name: 'sims' });

export const simulate = step({ each: { scenario: range(1, 501) } }, ({ scenario }) => ({
  scenario_id: scenario,
  demand_mwh: runSimulation(scenario),
}));

export const summary = step({ needs: { sims: simulate } }, ({ sims }) =>     // sims: Record<'1' | ..., result>
  Object.values(sims).reduce((sum, s) => sum + s.demand_mwh, 0));

// Factories: a function whose body is one step(...) call, called with literal arguments.
const simStep = (scenario: number) => step({ params: { scale: 2 } }, ({ scale }) => runSimulation(scenario) * scale);
export const sim_a = simStep(1);        // a step; so is sim_b
export const sim_b = simStep(2);
