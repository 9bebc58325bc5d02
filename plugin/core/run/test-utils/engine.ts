/**
 * What tests of the run engine without Nx share (as core/run/run-step.test.ts does it): Nx's cache as
 * folders in memory, a log that keeps its notes, and the verified value in an output folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readResult } from '../../outputs/result';
import type { RunLog } from '../log';
import type { EntryCache } from '../step-entries';

/** Nx's cache as folders in memory: what the adapter does with DbCache, minus Nx. */
export class MemoryCache implements EntryCache {
  readonly entries = new Map<string, Map<string, Buffer>>();
  constructor(private readonly root: string) {}
  async restore(key: string, relDir: string): Promise<'local' | 'miss'> {
    const files = this.entries.get(key);
    if (!files) return 'miss';
    for (const [rel, bytes] of files) {
      fs.mkdirSync(path.dirname(path.join(this.root, relDir, rel)), { recursive: true });
      fs.writeFileSync(path.join(this.root, relDir, rel), bytes);
    }
    return 'local';
  }
  async store(key: string, relDir: string): Promise<void> {
    const files = new Map<string, Buffer>();
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(path.join(this.root, relDir, dir), { withFileTypes: true })) {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) walk(rel);
        else files.set(rel, fs.readFileSync(path.join(this.root, relDir, rel)));
      }
    };
    walk('');
    this.entries.set(key, files);
  }
}

/** A log whose notes a test can read. */
export function keptLog(): RunLog & { readonly notes: string[] } {
  const notes: string[] = [];
  return { notes, note: (m) => notes.push(m), info: () => undefined, warn: () => undefined, error: () => undefined };
}

/** The verified, decoded result in an output folder; throws with the reason when there is none. */
export function storedValue(dir: string): unknown {
  const read = readResult(dir);
  if (!read.ok) throw new Error(read.detail);
  const value = read.value();
  if (!value.ok) throw new Error(value.error.message);
  return value.value;
}
