/**
 * The lock as committed at git HEAD: what `nx affected` compares against its
 * base. The working-tree lock is no guide: the pre-task hook rewrites it on
 * every local run, so it matches the code even when the commit does not.
 * Comparing with HEAD also keeps a step's inputs stable from one command to
 * the next (they change only with a commit).
 */
import { execFileSync } from 'node:child_process';
import type { LockedStep } from './lock-file';
import { LOCK_FILE } from './lock-file';

export type CommittedLock =
  /** Not in a git repository (or git is missing): nothing to compare with. */
  { readonly kind: 'no-git' } | { readonly kind: 'lock'; readonly steps: Readonly<Record<string, LockedStep>> };

export function committedLock(workspaceRoot: string): CommittedLock {
  let text: string;
  try {
    execFileSync('git', ['rev-parse', '--verify', '-q', 'HEAD'], { cwd: workspaceRoot, stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  } catch {
    return { kind: 'no-git' };
  }
  try {
    text = execFileSync('git', ['show', `HEAD:./${LOCK_FILE}`], {
      cwd: workspaceRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    return { kind: 'lock', steps: {} }; // not committed
  }
  try {
    const parsed = JSON.parse(text) as { steps?: Record<string, LockedStep> };
    return { kind: 'lock', steps: parsed.steps && typeof parsed.steps === 'object' ? parsed.steps : {} };
  } catch {
    return { kind: 'lock', steps: {} }; // a merge conflict, say: describes nothing
  }
}
