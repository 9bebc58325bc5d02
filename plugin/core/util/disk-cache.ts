/**
 * nx-steps' own disk caches (parses, code indexes, closures, stat memo).
 * Entries are content-addressed JSON files: immutable once written, so
 * concurrent processes can share them without locks. A missing, unreadable
 * or damaged entry is a miss, never an error: each file names the key it was
 * made for and holds its value with a digest of both, and a file that does
 * not check out (a torn write, `{}`, garbage, another program's file, or an
 * intact entry of another key copied or renamed over it) is ignored and,
 * when the value is computed again, replaced.
 *
 * Layout: <workspace>/.nx-steps/cache/<namespace>/<key[0..2]>/<key>.json.
 * The folder is gitignored (and carries its own .gitignore), so Nx never
 * sees it in its file map.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashParts } from './xxhash';
import { replaceFileAtomic } from './fs-atomic';

export const STATE_DIR = '.nx-steps';

export function stateDir(workspaceRoot: string): string {
  return path.join(workspaceRoot, STATE_DIR);
}

/** Creates `<dir>/.gitignore` with `*`, so git and Nx ignore the folder even before `nx-steps:init` ran. */
export function ensureIgnoredDir(dir: string): void {
  const marker = path.join(dir, '.gitignore');
  if (fs.existsSync(marker)) return;
  fs.mkdirSync(dir, { recursive: true });
  try {
    fs.writeFileSync(marker, '# Created by nx-steps: step outputs and caches, never committed.\n*\n', { flag: 'wx' });
  } catch {
    // another process created it first
  }
}

export class DiskCache {
  private readonly root: string;
  private prepared = false;

  constructor(workspaceRoot: string) {
    this.root = path.join(stateDir(workspaceRoot), 'cache');
  }

  private file(namespace: string, key: string): string {
    return path.join(this.root, namespace, key.slice(0, 2), `${key}.json`);
  }

  get<T>(namespace: string, key: string): T | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file(namespace, key), 'utf8');
    } catch {
      return undefined;
    }
    return unseal<T>(text, `${namespace}/${key}`);
  }

  set(namespace: string, key: string, value: unknown): void {
    try {
      if (!this.prepared) {
        ensureIgnoredDir(path.dirname(this.root));
        this.prepared = true;
      }
      replaceFileAtomic(this.file(namespace, key), seal(`${namespace}/${key}`, value));
    } catch {
      // A cache that cannot be written only costs time.
    }
  }

  /** Path of a single shared file in the cache folder (the stat memo). */
  path(name: string): string {
    return path.join(this.root, name);
  }
}

/**
 * An entry on disk: `<digest>\n<namespace>/<key>\n<the value's JSON>`, the digest over the key's line and
 * the JSON. The digest makes any damage a miss, whatever shape the damaged text has; the key's line makes
 * an entry found under another key's name (copied, renamed, restored from elsewhere) a miss too.
 */
export function seal(id: string, value: unknown): string {
  const json = JSON.stringify(value);
  return `${hashParts([id, json])}\n${id}\n${json}`;
}

export function unseal<T>(text: string, id: string): T | undefined {
  const first = text.indexOf('\n');
  if (first !== 32) return undefined;
  const second = first + 1 + id.length;
  if (text.charCodeAt(second) !== 10 || text.slice(first + 1, second) !== id) return undefined;
  const json = text.slice(second + 1);
  if (hashParts([id, json]) !== text.slice(0, first)) return undefined;
  try {
    return JSON.parse(json) as T;
  } catch {
    return undefined;
  }
}
