/**
 * nx-steps.lock.json from a generator's point of view.
 *
 * Pipeline files are found and read through the Tree (see workspace.ts), but
 * the fingerprint core reads the disk: a step's code closure follows its
 * imports into other modules (data arguments are not read: lock entries never
 * depend on data).
 * That is right for the sync generator, whose Tree is the workspace as it is
 * on disk (`nx sync` starts from an unchanged Tree), and for the callbacks
 * below, which run after Nx flushed the generator's files. It would not be
 * right inside a generator that has just written a pipeline file, so the
 * pipeline and step generators do not compute the lock in their Tree: they
 * return `updateLockAfterFlush`, which Nx runs once the files are on disk
 * (and never with --dry-run).
 */
import type { GeneratorCallback, Tree } from '@nx/devkit';
import type { LockedStep } from '../../plugin/core/fingerprint/lock-file';
import { formatDiagnostic } from '../../plugin/core/diagnostics';
import { LOCK_FILE, renderLock, updateLock } from '../../plugin/core/fingerprint/lock-file';
import { fingerprintWorkspace } from '../../plugin/core/fingerprint/workspace-pass';
import { createServices } from '../../plugin/core/workspace';
import type { PipelineWorkspace } from './workspace';

export { LOCK_FILE };

/** An empty lock: what a workspace without steps should have, byte for byte. */
export function emptyLock(): string {
  return renderLock(new Map<string, LockedStep>());
}

export interface ExpectedLock {
  readonly text: string;
  /** Projects the core could not fingerprint (bugs of ours; their old entries are kept). */
  readonly warnings: readonly string[];
}

/** The lock text the workspace should have. Touches the disk only when there are pipeline files. */
export function expectedLock(tree: Tree, ws: PipelineWorkspace): ExpectedLock {
  if (ws.files.length === 0) return { text: emptyLock(), warnings: [] };
  const services = createServices(tree.root);
  try {
    // The clock and the environment shape live digests and bypass salts, never lock entries.
    const pass = fingerprintWorkspace(services, ws.model, { now: Date.now(), env: {}, lockOnly: true });
    return { text: pass.lockText, warnings: pass.warnings };
  } finally {
    services.flush();
  }
}

/**
 * Run by Nx after it wrote a generator's files: brings the lock on disk up to
 * date with them. `ws` is the workspace as the generator left it, read from
 * its Tree before the flush: once the files are on disk, neither the Tree
 * (its new files now count as updates) nor this process's index of the
 * workspace (built when the command started) lists them for a glob.
 */
export function updateLockAfterFlush(tree: Tree, ws: PipelineWorkspace): GeneratorCallback {
  return () => {
    const { text, warnings } = expectedLock(tree, ws);
    for (const w of warnings) console.warn(`nx-steps: ${w}`);
    const written = updateLock(tree.root, text);
    if (!written.ok) console.warn(`nx-steps: ${formatDiagnostic(written.error)}`);
  };
}
