/**
 * Per-step identifiers derived from the project root and step name:
 * readable, plus a digest of both so that two roots that sanitise alike
 * ('a-b' and 'a_b') never share one. Used as the key of the step's entry in
 * nx-steps.lock.json (a JSON field path, so no dots) and in the name of the
 * env input carrying its live fingerprint.
 */
import { hashBytes } from '../util/xxhash';

// Every graph build asks for each step's key twice (lock field, env name),
// and the pre-task hook twice more: 4,000 native hash calls for 1,000 steps.
// A process only ever sees the workspace's steps, so the memo stays small.
const keys = new Map<string, string>();

export function stepKey(projectRoot: string, step: string): string {
  const id = `${projectRoot}\0${step}`;
  let key = keys.get(id);
  if (key === undefined) {
    const readable = `${projectRoot === '.' ? 'root' : projectRoot}_${step}`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 60);
    key = `${readable}_${hashBytes(id).slice(0, 8)}`;
    keys.set(id, key);
  }
  return key;
}

export function fingerprintEnvName(projectRoot: string, step: string): string {
  return `NX_STEPS_FP_${stepKey(projectRoot, step)}`;
}
