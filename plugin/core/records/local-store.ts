/**
 * Facts about a result kept on this machine only, one JSON file per fingerprint digest under
 * `.nx-steps/<folder>/`: never in a step's outputs, so never in a cache entry (what ctx.metric reported,
 * records/metrics.ts; the params it was made with, records/param-values.ts). A later run that restores the
 * same result (a hit) finds them by the digest in its step.json; a result made on another machine has none.
 *
 * Bounded: past 5,000 files, the oldest go (down to 4,000, so the folder is sorted rarely, not on every
 * write). Unreadable or damaged files read as absent; a write that fails is dropped (these are reports,
 * not results: losing them must not fail a step).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureIgnoredDir, stateDir } from '../util/disk-cache';
import { readJsonIfExists, replaceFileAtomic } from '../util/fs-atomic';

const MAX_FILES = 5_000;
const KEEP_FILES = 4_000;

export class LocalStore<T> {
  constructor(
    private readonly folder: string,
    /** The stored value, checked: undefined when the file holds something else. */
    private readonly check: (raw: unknown) => T | undefined,
  ) {}

  dir(workspaceRoot: string): string {
    return path.join(stateDir(workspaceRoot), this.folder);
  }

  private fileOf(workspaceRoot: string, fingerprint: string): string | undefined {
    // The digest names a file: anything but hex is not ours.
    return /^[0-9a-f]{8,64}$/.test(fingerprint) ? path.join(this.dir(workspaceRoot), `${fingerprint}.json`) : undefined;
  }

  write(workspaceRoot: string, fingerprint: string, value: T): void {
    const file = this.fileOf(workspaceRoot, fingerprint);
    if (!file) return;
    try {
      ensureIgnoredDir(stateDir(workspaceRoot));
      replaceFileAtomic(file, `${JSON.stringify(value)}\n`);
      prune(this.dir(workspaceRoot));
    } catch {
      // A report, not a result.
    }
  }

  read(workspaceRoot: string, fingerprint: string): T | undefined {
    const file = this.fileOf(workspaceRoot, fingerprint);
    return file ? this.check(readJsonIfExists<unknown>(file)) : undefined;
  }
}

function prune(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return;
  }
  if (names.length <= MAX_FILES) return;
  const aged = names.flatMap((n) => {
    try {
      return [{ n, t: fs.statSync(path.join(dir, n)).mtimeMs }];
    } catch {
      return [];
    }
  });
  aged.sort((a, b) => b.t - a.t);
  for (const { n } of aged.slice(KEEP_FILES)) fs.rmSync(path.join(dir, n), { force: true });
}
