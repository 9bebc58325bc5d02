/**
 * Which steps a command's param overrides reach, for the check that every
 * override is declared by one of them (params.ts).
 *
 * Nx forwards the overrides along every dependsOn (plugin/nx/targets.ts), so
 * they reach every task of the run. The executor knows the run from Nx's
 * task graph (`runSteps`); without it (`nx-steps why`, a recomputed upstream
 * step) the run is the step and every step it needs, as `nx run` would run.
 */
import type { Json } from '../../api/json';
import type { ProjectModel, StepModel } from '../model/project-model';
import { own } from '../util/own';
import type { OverrideScope, ParamOwners } from './params';

/** A step and every step it needs, transitively (a need on a fan-out step is every item). */
export function upstreamClosure(project: ProjectModel, step: string): Set<string> {
  const byName = new Map(project.steps.map((s) => [s.name, s]));
  const out = new Set<string>();
  const visit = (name: string): void => {
    if (out.has(name)) return;
    out.add(name);
    for (const up of Object.values(byName.get(name)?.needs ?? {})) {
      for (const t of own(project.fanOuts, up)?.items.map((i) => i.target) ?? [up]) visit(t);
    }
  };
  visit(step);
  return out;
}

/** Param name → the declared steps (a fan-out's items by their step's name) declaring it. */
function owners(steps: readonly StepModel[], shared: Readonly<Record<string, Json>> = {}): ParamOwners {
  const out = new Map<string, string[]>();
  for (const s of steps) {
    const name = s.item?.fanOut?.step ?? s.name;
    for (const p of Object.keys(s.params)) {
      const list = out.get(p) ?? [];
      if (!list.includes(name)) list.push(name);
      out.set(p, list);
    }
  }
  for (const p of Object.keys(shared)) if (!out.has(p)) out.set(p, []);
  return out;
}

/** `runSteps`: the project's targets in the run (from Nx's task graph), when known. */
export function overrideScope(project: ProjectModel, step: string, runSteps?: readonly string[]): OverrideScope {
  const inRun = new Set(runSteps ?? upstreamClosure(project, step));
  inRun.add(step);
  return {
    project: project.displayName,
    run: owners(project.steps.filter((s) => inRun.has(s.name))),
    all: owners(project.steps, project.params),
  };
}
