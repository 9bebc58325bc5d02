/**
 * Shares of a fan-out's items for machines working side by side: share i of
 * N is a contiguous run of the items, the shares disjoint, together all of
 * them, their sizes within one of each other. Each machine runs its share
 * (`nx run-many -t <its targets>`), storing every item in the remote cache;
 * a machine that then runs a step needing the whole fan-out restores every
 * item from it.
 */
import type { Result } from '../util/result';
import { own } from '../util/own';
import { fail, ok } from '../util/result';
import type { ProjectModel } from './project-model';

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

export function parseShard(text: string): Result<Shard, string> {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) return fail(`a share is written i/N with 1 ≤ i ≤ N, e.g. 2/4; got "${text}"`);
  return ok({ index, count });
}

/** Share `index` of `count` of the list. */
export function shareOf<T>(items: readonly T[], shard: Shard): T[] {
  const from = Math.floor(((shard.index - 1) * items.length) / shard.count);
  const to = Math.floor((shard.index * items.length) / shard.count);
  return items.slice(from, to);
}

/** The item targets of one fan-out step, or of every fan-out step of the project (in name order). */
export function fanOutTargets(project: ProjectModel, step?: string): Result<string[], string> {
  const names = step === undefined ? Object.keys(project.fanOuts).sort() : [step];
  if (names.length === 0) return fail(`project ${project.displayName} has no fan-out step (a step declared with each: { ... })`);
  const out: string[] = [];
  for (const name of names) {
    const fanOut = own(project.fanOuts, name);
    if (!fanOut) {
      const fanOuts = Object.keys(project.fanOuts);
      return fail(
        `${project.displayName}:${name} is not a fan-out step${fanOuts.length ? `; fan-out steps: ${fanOuts.join(', ')}` : ' (no step of the project is declared with each: { ... })'}`,
      );
    }
    out.push(...fanOut.items.map((i) => i.target));
  }
  return ok(out);
}
