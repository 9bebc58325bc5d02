/**
 * Per-step identifiers derived from the project root and step name:
 * readable, plus a digest of both so that two roots that sanitise alike
 * ('a-b' and 'a_b') never share one. Used as the key of the step's entry in
 * nx-steps.lock.json (a JSON field path, so no dots) and in the name of the
 * env input carrying its live fingerprint.
 */
import { hashBytes } from '../hash/xxhash';

export function stepKey(projectRoot: string, step: string): string {
  const readable = `${projectRoot === '.' ? 'root' : projectRoot}_${step}`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 60);
  return `${readable}_${hashBytes(`${projectRoot}\0${step}`).slice(0, 8)}`;
}

export function fingerprintEnvName(projectRoot: string, step: string): string {
  return `NX_STEPS_FP_${stepKey(projectRoot, step)}`;
}
