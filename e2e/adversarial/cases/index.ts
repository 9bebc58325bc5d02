/** Every table of the adversarial suite (see the header of e2e/adversarial.e2e.test.ts). */
import type { AdversarialCase } from '../harness';
import { ATTACKER_CASES } from './attacker';
import { COMPILER_CASES, PACKAGE_CASES } from './compiler-packages';
import { DAMAGED_CASES } from './damaged';
import { LOAD_TIME_CASES } from './load-time';
import { LITERAL_CASES, MERGING_CASES } from './merging-literals';
import { PRECISION_CASES } from './precision';
import { RESOLUTION_CASES } from './resolution';
import { RUNTIME_LOAD_CASES } from './runtime-loads';
import { UPSTREAM_CASES } from './upstream-controls';
import { IDENTITY_CASES } from './identity';
import { IDENTITY_ATTACK_CASES } from './identity-attacks';
import { ORDER_CASES } from './order';
import { COMPILER_INSERTED_CASES } from './compiler-inserted';
import { UNNAMED_LOAD_CASES } from './unnamed-loads';
import { PRECISION_22_CASES } from './precision-22';

export const ALL_CASES: readonly AdversarialCase[] = [
  ...LOAD_TIME_CASES,
  ...MERGING_CASES,
  ...LITERAL_CASES,
  ...RESOLUTION_CASES,
  ...RUNTIME_LOAD_CASES,
  ...COMPILER_CASES,
  ...PACKAGE_CASES,
  ...UPSTREAM_CASES,
  ...DAMAGED_CASES,
  ...PRECISION_CASES,
  ...ATTACKER_CASES,
  ...IDENTITY_CASES,
  ...IDENTITY_ATTACK_CASES,
  ...ORDER_CASES,
  ...COMPILER_INSERTED_CASES,
  ...UNNAMED_LOAD_CASES,
  ...PRECISION_22_CASES,
];

/** Cases by workspace: cases with the same `group` share one (default 'main'). */
export function groupsOf(cases: readonly AdversarialCase[]): Map<string, AdversarialCase[]> {
  const groups = new Map<string, AdversarialCase[]>();
  for (const c of cases) groups.set(c.group ?? 'main', [...(groups.get(c.group ?? 'main') ?? []), c]);
  return groups;
}

/** NXS_ADVERSARIAL_ONLY: comma-separated parts of case ids or categories, or group names; unset: every case. */
export function selectCases(cases: readonly AdversarialCase[], only: string | undefined): readonly AdversarialCase[] {
  const parts = only?.split(',').filter(Boolean);
  return parts ? cases.filter((c) => parts.some((o) => c.id.includes(o) || c.category.includes(o) || (c.group ?? 'main') === o)) : cases;
}
