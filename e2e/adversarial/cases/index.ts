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
];
