/**
 * Writes and reads a step's output folder. The protocol makes a crash safe:
 * the folder is emptied before the step runs, and step.json (with digests of
 * everything else) is written last, by rename. A reader trusts the folder
 * only when step.json exists and the value and files match its digests, so
 * a half-written output is recomputed, never used.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FingerprintRecord } from '../fingerprint/fingerprint';
import { hashFileContent } from '../hash/file-hasher';
import { hashBytes, hashParts } from '../hash/xxhash';
import { compareCodePoints } from '../hash/canonical';
import { readJsonIfExists, writeFileAtomic } from '../util/fs-atomic';
import { toPosix } from '../util/paths';
import { FILES_DIR, META_FILE, RESULT_DIGEST_FILE, VALUE_FILE } from './layout';

export const META_SCHEMA = 1;

export interface StoredFile {
  readonly path: string;
  readonly size: number;
  readonly digest: string;
}

export interface StepMeta {
  readonly schema: typeof META_SCHEMA;
  readonly project: string;
  readonly step: string;
  readonly fingerprint: { readonly digest: string; readonly record: FingerprintRecord };
  readonly result: {
    readonly digest: string;
    readonly value: { readonly bytes: number; readonly digest: string };
    readonly files: readonly StoredFile[];
  };
  /** When the step ran (ISO 8601); a restored entry keeps it. */
  readonly createdAt: string;
  /** How long the step function took: the time a cache hit saves. */
  readonly durationMs: number;
  readonly nxSteps: string;
}

export class UnstorableOutput extends Error {}

/** Empties (or creates) the output folder and returns the absolute files folder for ctx.outDir. */
export function prepareOutputDir(dir: string): string {
  fs.rmSync(dir, { recursive: true, force: true });
  const files = path.join(dir, FILES_DIR);
  fs.mkdirSync(files, { recursive: true });
  return files;
}

function listFiles(root: string): StoredFile[] {
  const out: StoredFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      const rel = toPosix(path.relative(root, abs));
      if (entry.isSymbolicLink()) {
        throw new UnstorableOutput(`ctx.outDir contains a symbolic link (${rel}); the cache stores files, so copy the file instead`);
      }
      if (entry.isDirectory()) walk(abs);
      else if (entry.isFile()) out.push({ path: rel, size: fs.statSync(abs).size, digest: hashFileContent(abs) });
      else throw new UnstorableOutput(`ctx.outDir contains ${rel}, which is not a regular file`);
    }
  };
  if (fs.existsSync(root)) walk(root);
  return out.sort((a, b) => compareCodePoints(a.path, b.path));
}

export function resultDigest(valueDigest: string, files: readonly StoredFile[]): string {
  return hashParts(['nx-steps-result-v1', valueDigest, ...files.flatMap((f) => [f.path, String(f.size), f.digest])]);
}

export interface FinishInput {
  readonly project: string;
  readonly step: string;
  readonly fingerprint: StepMeta['fingerprint'];
  readonly valueText: string;
  readonly durationMs: number;
  readonly nxSteps: string;
  readonly createdAt?: Date;
}

/** Records the result of a step that just ran into its (prepared) output folder. */
export function finishOutputs(dir: string, input: FinishInput): StepMeta {
  const files = listFiles(path.join(dir, FILES_DIR));
  const value = { bytes: Buffer.byteLength(input.valueText), digest: hashBytes(input.valueText) };
  const digest = resultDigest(value.digest, files);
  fs.writeFileSync(path.join(dir, VALUE_FILE), input.valueText);
  fs.writeFileSync(path.join(dir, RESULT_DIGEST_FILE), `${digest}\n`);
  const meta: StepMeta = {
    schema: META_SCHEMA,
    project: input.project,
    step: input.step,
    fingerprint: input.fingerprint,
    result: { digest, value, files },
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    durationMs: Math.round(input.durationMs),
    nxSteps: input.nxSteps,
  };
  writeFileAtomic(path.join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

export type OutputProblem = 'missing' | 'incomplete' | 'corrupt' | 'other';

export type ReadOutput =
  | { readonly ok: true; readonly meta: StepMeta; readonly valueText: string }
  | { readonly ok: false; readonly problem: OutputProblem; readonly detail: string };

export interface ReadOptions {
  /**
   * Content digest of a file. With it, every stored file is checked against
   * its recorded digest (pass the stat-memoised hasher: unchanged files are
   * not read again). Without it only sizes are checked.
   */
  readonly digestOf?: (absFile: string) => string;
  /**
   * The fingerprint digest the caller wants: outputs stored under another one
   * are reported as 'other' before anything else is read or hashed.
   */
  readonly fingerprint?: string;
}

/** A manifest path that stays inside the folder it is relative to. */
function isContainedPath(p: string): boolean {
  return p.length > 0 && !p.startsWith('/') && !/^[A-Za-z]:/.test(p) && !p.includes('\\') && p.split('/').every((seg) => seg !== '..' && seg !== '' && seg !== '.');
}

/**
 * Reads and verifies an output folder. Nothing in it is trusted that does not
 * match step.json: the value and the digest file always, every file's size
 * (and digest, with `digestOf`), no file left out of the manifest, no
 * symbolic link, no path that leads outside the folder. An output restored
 * from a tampered or truncated cache entry is reported, never used.
 */
export function readOutputs(dir: string, options: ReadOptions = {}): ReadOutput {
  if (!fs.existsSync(dir)) return { ok: false, problem: 'missing', detail: `${dir} does not exist` };
  const meta = readJsonIfExists<StepMeta>(path.join(dir, META_FILE));
  if (!meta) return { ok: false, problem: 'incomplete', detail: `${META_FILE} is missing or unreadable (the step did not finish writing)` };
  if (meta.schema !== META_SCHEMA || !meta.result || !meta.fingerprint || !Array.isArray(meta.result.files) || !meta.result.value) {
    return { ok: false, problem: 'corrupt', detail: `${META_FILE} has an unknown format` };
  }
  if (options.fingerprint !== undefined && meta.fingerprint.digest !== options.fingerprint) {
    return { ok: false, problem: 'other', detail: `stored under fingerprint ${meta.fingerprint.digest}, not ${options.fingerprint}` };
  }
  let valueText: string;
  try {
    valueText = fs.readFileSync(path.join(dir, VALUE_FILE), 'utf8');
  } catch {
    return { ok: false, problem: 'incomplete', detail: `${VALUE_FILE} is missing` };
  }
  if (hashBytes(valueText) !== meta.result.value.digest) {
    return { ok: false, problem: 'corrupt', detail: `${VALUE_FILE} does not match its recorded digest` };
  }
  let digestFile = '';
  try {
    digestFile = fs.readFileSync(path.join(dir, RESULT_DIGEST_FILE), 'utf8').trim();
  } catch {
    // handled below
  }
  if (digestFile !== meta.result.digest || resultDigest(meta.result.value.digest, meta.result.files) !== meta.result.digest) {
    return { ok: false, problem: 'corrupt', detail: `${RESULT_DIGEST_FILE} does not match the recorded result` };
  }
  const filesRoot = path.join(dir, FILES_DIR);
  const listed = new Set<string>();
  for (const f of meta.result.files) {
    if (typeof f?.path !== 'string' || !isContainedPath(f.path)) {
      return { ok: false, problem: 'corrupt', detail: `${META_FILE} lists a file outside the output folder (${JSON.stringify(f?.path)})` };
    }
    listed.add(f.path);
    const abs = path.join(filesRoot, f.path);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(abs);
    } catch {
      return { ok: false, problem: 'incomplete', detail: `${FILES_DIR}/${f.path} is missing` };
    }
    if (!st.isFile()) return { ok: false, problem: 'corrupt', detail: `${FILES_DIR}/${f.path} is not a regular file` };
    if (st.size !== f.size) return { ok: false, problem: 'corrupt', detail: `${FILES_DIR}/${f.path} does not match its recorded size` };
    if (options.digestOf && options.digestOf(abs) !== f.digest) {
      return { ok: false, problem: 'corrupt', detail: `${FILES_DIR}/${f.path} does not match its recorded digest` };
    }
  }
  const extra = unlistedEntry(filesRoot, listed);
  if (extra) return { ok: false, problem: 'corrupt', detail: `${FILES_DIR}/${extra} is not part of the recorded result` };
  return { ok: true, meta, valueText };
}

/** The first entry under `root` that the manifest does not list (folders leading to listed files excepted). */
function unlistedEntry(root: string, listed: ReadonlySet<string>): string | undefined {
  const walk = (dir: string): string | undefined => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    for (const e of entries) {
      const rel = toPosix(path.relative(root, path.join(dir, e.name)));
      if (e.isDirectory() && !e.isSymbolicLink()) {
        const found = walk(path.join(dir, e.name));
        if (found) return found;
      } else if (!listed.has(rel)) {
        return rel;
      }
    }
    return undefined;
  };
  return walk(root);
}
