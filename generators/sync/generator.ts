/**
 * `nx-steps:sync`, an Nx sync generator: `nx sync` rewrites
 * nx-steps.lock.json from the pipelines and `nx sync:check` fails while it
 * is stale (Nx lists the generators it runs in nx.json
 * `sync.globalGenerators`, where nx-steps:init puts this one). It also runs
 * as a plain generator: `nx g nx-steps:sync`.
 *
 * Pipeline files are found with devkit's globAsync and read from the Tree;
 * the fingerprint core reads the steps' code closures and data from disk,
 * which is what the Tree holds when Nx runs a sync generator (see
 * shared/lock.ts). The lock's content is exactly what the pre-task hook
 * writes: both come from core/fingerprint/workspace-pass.ts.
 */
import type { Tree } from '@nx/devkit';
import { logger } from '@nx/devkit';
import type { LockedStep } from '../../plugin/core/fingerprint/lock-file';
import { expectedLock, LOCK_FILE } from '../shared/lock';
import { readPipelines } from '../shared/workspace';

/** What Nx reads from a sync generator's result (nx's SyncGeneratorResult, which @nx/devkit does not export). */
interface SyncResult {
  readonly outOfSyncMessage?: string;
  readonly outOfSyncDetails?: string[];
}

function stepsOf(text: string | null): Record<string, LockedStep> {
  if (text === null) return {};
  try {
    return (JSON.parse(text) as { steps?: Record<string, LockedStep> }).steps ?? {};
  } catch {
    return {}; // a merge conflict, say: every entry counts as added
  }
}

/** One line per step whose entry differs, for `nx sync:check`. */
function describeLockChange(before: string | null, after: string): string[] {
  const old = stepsOf(before);
  const now = stepsOf(after);
  const label = (e: LockedStep): string => `${e.file}: ${e.step}`;
  const lines: string[] = [];
  for (const [key, entry] of Object.entries(now)) {
    const prev = old[key];
    if (!prev) lines.push(`added    ${label(entry)}`);
    else if (JSON.stringify(prev) !== JSON.stringify(entry)) lines.push(`changed  ${label(entry)}`);
  }
  for (const [key, entry] of Object.entries(old)) if (!(key in now)) lines.push(`removed  ${label(entry)}`);
  return lines;
}

export async function syncGenerator(tree: Tree): Promise<SyncResult> {
  const expected = expectedLock(tree, await readPipelines(tree));
  for (const w of expected.warnings) logger.warn(`nx-steps: ${w}`);
  const current = tree.read(LOCK_FILE, 'utf-8');
  if (current === expected.text) return {};
  tree.write(LOCK_FILE, expected.text);
  const details = describeLockChange(current, expected.text);
  const what =
    current === null
      ? 'is missing'
      : details.length === 0
        ? 'is not in the current format'
        : `is stale: ${details.length} ${details.length === 1 ? 'step differs' : 'steps differ'}`;
  return {
    outOfSyncMessage: `${LOCK_FILE} ${what}. Run \`nx sync\` and commit it: \`nx affected\` reads it to select the steps a change reaches.`,
    ...(details.length > 0 ? { outOfSyncDetails: details } : {}),
  };
}

export default syncGenerator;
