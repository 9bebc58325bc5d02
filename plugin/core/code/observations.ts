/**
 * What resolving a step's imports looked at on disk: which paths exist (and
 * as what), where links point, what folders list, which files' contents
 * decided something. A cached closure stays valid exactly while repeating
 * these observations gives the same answers (closure.ts), so a warm run
 * reads no source file it has not seen change.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashParts } from '../util/xxhash';

export type PathKind = 'file' | 'dir' | 'none';

export interface ObservationRecord {
  readonly kinds: Readonly<Record<string, PathKind>>;
  /** Path → its real path ('' when it does not resolve). */
  readonly reals: Readonly<Record<string, string>>;
  /** Folder → digest of its sorted entry names. */
  readonly listings: Readonly<Record<string, string>>;
}

export class Observations {
  readonly kinds = new Map<string, PathKind>();
  readonly reals = new Map<string, string>();
  readonly listings = new Map<string, string>();
  /** Files whose content decided something (package.json, tsconfig). */
  readonly contents = new Set<string>();

  kind(p: string): PathKind {
    const known = this.kinds.get(p);
    if (known) return known;
    const k = statKind(p);
    this.kinds.set(p, k);
    return k;
  }

  isFile(p: string): boolean {
    return this.kind(p) === 'file';
  }

  isDir(p: string): boolean {
    return this.kind(p) === 'dir';
  }

  /** The real path (links resolved), as Node's module loader uses it; undefined when it does not exist. */
  real(p: string): string | undefined {
    let r = this.reals.get(p);
    if (r === undefined) {
      r = realPath(p);
      this.reals.set(p, r);
    }
    return r === '' ? undefined : r;
  }

  /** Entry names of a folder, sorted (empty when it is not a folder). */
  list(dir: string): string[] {
    const names = listNames(dir);
    this.listings.set(dir, hashParts(names));
    return names;
  }

  read(p: string): string | undefined {
    if (!this.isFile(p)) return undefined;
    this.contents.add(p);
    try {
      return fs.readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  }

  /** A JSON file's value; undefined when missing or not JSON (the file still counts as observed). */
  readJson(p: string): unknown {
    const text = this.read(p);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }

  record(): ObservationRecord {
    return { kinds: Object.fromEntries(this.kinds), reals: Object.fromEntries(this.reals), listings: Object.fromEntries(this.listings) };
  }
}

/** Whether the disk still answers as recorded. */
export function stillObserved(rec: ObservationRecord): boolean {
  for (const [p, kind] of Object.entries(rec.kinds)) if (statKind(p) !== kind) return false;
  for (const [p, real] of Object.entries(rec.reals)) if (realPath(p) !== real) return false;
  for (const [dir, digest] of Object.entries(rec.listings)) if (hashParts(listNames(dir)) !== digest) return false;
  return true;
}

function statKind(p: string): PathKind {
  try {
    const st = fs.statSync(p);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'none';
  } catch {
    return 'none';
  }
}

function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return '';
  }
}

function listNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export function isInsideNodeModules(p: string): boolean {
  return p.split(path.sep).includes('node_modules');
}
