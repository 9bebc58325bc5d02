/** Needs-cycles among a project's steps: each step on one carries an error naming the cycle. */
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import { compareCodePoints } from '../hash/canonical';
import type { FanOutModel, StepModel } from './project-model';

/** The steps, each one on a needs-cycle broken with an error naming the cycle. */
export function markCycles(steps: readonly StepModel[], fanOuts: Readonly<Record<string, FanOutModel>>, project: string): StepModel[] {
  const byName = new Map(steps.map((s) => [s.name, s]));
  const upstream = (name: string): string[] => Object.values(byName.get(name)?.needs ?? {}).flatMap((up) => fanOuts[up]?.items.map((i) => i.target) ?? [up]);
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const onCycle = new Map<string, string[]>();
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const up of upstream(name)) {
      if (state.get(up) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(up)), up];
        for (const n of cycle) if (!onCycle.has(n)) onCycle.set(n, cycle);
      } else if (!state.has(up) && byName.has(up)) {
        visit(up);
      }
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const s of steps) if (!state.has(s.name)) visit(s.name);
  return steps.map((s) => {
    const cycle = onCycle.get(s.name);
    if (!cycle) return s;
    const error: Diagnostic = {
      code: DiagnosticCodes.cycle,
      severity: 'error',
      message: `Steps need each other in a cycle: ${declaredCycle(cycle, byName).join(' → ')}.`,
      hint: 'A step can only need steps that run before it; remove one of these needs.',
      location: { file: s.file, ...s.declaration.loc },
      project,
      step: s.name,
    };
    return { ...s, errors: [...s.errors, error] };
  });
}

/** A cycle in declared steps' names (a fan-out's items as their step), from its first name in code-point order. */
function declaredCycle(cycle: readonly string[], byName: ReadonlyMap<string, StepModel>): string[] {
  const names = cycle
    .slice(0, -1)
    .map((n) => byName.get(n)?.item?.fanOut?.step ?? n)
    .filter((n, i, all) => n !== all[(i + all.length - 1) % all.length] || all.length === 1);
  const start = names.indexOf([...names].sort(compareCodePoints)[0] as string);
  const rotated = [...names.slice(start), ...names.slice(0, start)];
  return [...rotated, rotated[0] as string];
}
