/**
 * Writes and reads a step's output folder. The protocol makes a crash safe:
 * the step writes into a fresh folder (staging.ts keeps the last good one
 * aside), and step.json (with digests of everything else) is written last,
 * by rename. A reader trusts the folder only when step.json exists and the
 * value and files match its digests, so a half-written output is
 * recomputed, never used.
 *
 * The result digest (what downstream steps' keys hold, result.xxh128) covers
 * the value's parts and, for ctx.outDir, every file's path, size, content and
 * executable bit, and every empty folder: a downstream step that lists
 * folders or checks an exec bit sees any change of them as a new result.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FingerprintRecord } from '../fingerprint/fingerprint';
import { hashFileContent } from '../hash/file-hasher';
import { hashParts } from '../util/xxhash';
import { compareCodePoints } from '../hash/canonical';
import { readJsonIfExists, writeFileAtomic } from '../util/fs-atomic';
import { toPosix } from '../util/paths';
import type { DecodeOptions } from './decode';
import { readValue } from './decode';
import type { EncodeOptions } from './encode';
import { writeValue } from './encode';
import { FILES_DIR, META_FILE, RESULT_DIGEST_FILE, VALUE_DIR } from './layout';
import type { PartFile } from './part-io';
import { isPartName, VALUE_FORMAT } from './value-layout';

export const META_SCHEMA = 2;

export interface StoredFile {
  readonly path: string;
  readonly size: number;
  readonly digest: string;
  /** The owner's executable bit (other mode bits follow the machine's umask and are not part of a result). */
  readonly exec?: true;
}

export interface StoredValue {
  /** `msgpack-1` (value-layout.ts). */
  readonly format: string;
  readonly digest: string;
  /** Bytes of every part together. */
  readonly bytes: number;
  readonly parts: readonly PartFile[];
}

export interface StepMeta {
  readonly schema: number;
  readonly project: string;
  readonly step: string;
  readonly fingerprint: { readonly digest: string; readonly record: FingerprintRecord };
  readonly result: {
    readonly digest: string;
    readonly value: StoredValue;
    readonly files: readonly StoredFile[];
    /** Empty folders inside ctx.outDir. */
    readonly dirs: readonly string[];
  };
  /** When the step ran (ISO 8601); a restored entry keeps it. */
  readonly createdAt: string;
  /** How long the step function took: the time a cache hit saves. */
  readonly durationMs: number;
  readonly nxSteps: string;
}

export class UnstorableOutput extends Error {}

interface FilesListing {
  readonly files: StoredFile[];
  readonly dirs: string[];
}

function listFiles(root: string): FilesListing {
  const files: StoredFile[] = [];
  const dirs: string[] = [];
  const walk = (dir: string): void => {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    if (entries.length === 0 && dir !== root) dirs.push(toPosix(path.relative(root, dir)));
    for (const entry of entries) {
      const abs = path.join(dir, entry.name);
      const rel = toPosix(path.relative(root, abs));
      if (entry.isSymbolicLink()) {
        throw new UnstorableOutput(`ctx.outDir contains a symbolic link (${rel}); the cache stores files, so copy the file instead`);
      }
      if (entry.isDirectory()) walk(abs);
      else if (entry.isFile()) {
        const st = fs.statSync(abs);
        files.push({ path: rel, size: st.size, digest: hashFileContent(abs), ...((st.mode & 0o100) !== 0 ? { exec: true as const } : {}) });
      } else throw new UnstorableOutput(`ctx.outDir contains ${rel}, which is not a regular file`);
    }
  };
  if (fs.existsSync(root)) walk(root);
  files.sort((a, b) => compareCodePoints(a.path, b.path));
  dirs.sort(compareCodePoints);
  return { files, dirs };
}

function valueDigest(format: string, parts: readonly PartFile[]): string {
  return hashParts(['nx-steps-value', format, ...parts.flatMap((p) => [p.path, String(p.size), p.digest])]);
}

export function resultDigest(value: StoredValue, files: readonly StoredFile[], dirs: readonly string[]): string {
  return hashParts(['nx-steps-result-v2', value.digest, ...files.flatMap((f) => [f.path, String(f.size), f.digest, f.exec ? 'x' : '-']), 'dirs', ...dirs]);
}

export interface FinishInput {
  readonly project: string;
  readonly step: string;
  readonly fingerprint: StepMeta['fingerprint'];
  readonly value: unknown;
  /** Where apache-arrow resolves from, when the value holds a Table. */
  readonly arrowFrom?: string;
  readonly durationMs: number;
  readonly nxSteps: string;
  readonly createdAt?: Date;
}

/**
 * Records the result of a step that just ran into its (begun) output folder:
 * the value, the manifest of ctx.outDir, the result digest, then step.json.
 * Throws UnstorableValue / UnstorableOutput / ArrowMissing / file system
 * errors; result.ts turns them into failures.
 */
export async function finishOutputs(dir: string, input: FinishInput): Promise<StepMeta> {
  const filesDir = path.join(dir, FILES_DIR);
  const encodeOptions: EncodeOptions = { outDir: filesDir, ...(input.arrowFrom ? { arrowFrom: input.arrowFrom } : {}) };
  const parts = await writeValue(path.join(dir, VALUE_DIR), input.value, encodeOptions);
  const value: StoredValue = { format: VALUE_FORMAT, digest: valueDigest(VALUE_FORMAT, parts), bytes: parts.reduce((n, p) => n + p.size, 0), parts };
  const { files, dirs } = listFiles(filesDir);
  const digest = resultDigest(value, files, dirs);
  fs.writeFileSync(path.join(dir, RESULT_DIGEST_FILE), `${digest}\n`);
  const meta: StepMeta = {
    schema: META_SCHEMA,
    project: input.project,
    step: input.step,
    fingerprint: input.fingerprint,
    result: { digest, value, files, dirs },
    createdAt: (input.createdAt ?? new Date()).toISOString(),
    durationMs: Math.round(input.durationMs),
    nxSteps: input.nxSteps,
  };
  writeFileAtomic(path.join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

export type OutputProblem = 'missing' | 'incomplete' | 'corrupt' | 'other';

export type ReadOutput = { readonly ok: true; readonly meta: StepMeta } | { readonly ok: false; readonly problem: OutputProblem; readonly detail: string };

export interface ReadOptions {
  /**
   * Content digest of a file. With it, every stored file and value part is
   * checked against its recorded digest (pass the stat-memoised hasher:
   * unchanged files are not read again). Without it only sizes are checked.
   */
  readonly digestOf?: (absFile: string) => string;
  /**
   * The fingerprint digest the caller wants: outputs stored under another one
   * are reported as 'other' before anything else is read or hashed.
   */
  readonly fingerprint?: string;
  /**
   * With signing on (outputs/trust.ts): why a folder that passed every other
   * check is still not to be used (unsigned, or signed by another key).
   */
  readonly trust?: { untrusted(dir: string, meta: StepMeta): string | undefined } | undefined;
}

/** A manifest path that stays inside the folder it is relative to. */
function isContainedPath(p: unknown): p is string {
  return (
    typeof p === 'string' &&
    p.length > 0 &&
    !p.startsWith('/') &&
    !/^[A-Za-z]:/.test(p) &&
    !p.includes('\\') &&
    p.split('/').every((seg) => seg !== '..' && seg !== '' && seg !== '.')
  );
}

type Check = { readonly ok: true } | { readonly ok: false; readonly problem: OutputProblem; readonly detail: string };
const OK: Check = { ok: true };
const bad = (problem: OutputProblem, detail: string): Check => ({ ok: false, problem, detail });

function readMeta(dir: string): { meta: StepMeta } | Check {
  const raw = readJsonIfExists<StepMeta>(path.join(dir, META_FILE));
  if (!raw) return bad('incomplete', `${META_FILE} is missing or unreadable (the step did not finish writing)`);
  if (!raw.result || !raw.fingerprint || !Array.isArray(raw.result.files) || !raw.result.value) return bad('corrupt', `${META_FILE} has an unknown format`);
  if (raw.schema !== META_SCHEMA || raw.result.value.format !== VALUE_FORMAT || !Array.isArray(raw.result.value.parts) || !Array.isArray(raw.result.dirs)) {
    return bad('corrupt', `${META_FILE} has an unknown format`);
  }
  return { meta: raw };
}

/**
 * Reads and verifies an output folder. Nothing in it is trusted that does not
 * match step.json: every value part, the digest file, every file's size (and
 * digest, with `digestOf`), no file left out of the manifest, no symbolic
 * link, no path that leads outside the folder. An output restored from a
 * tampered or truncated cache entry is reported, never used. What a cache
 * may not carry and is not content (an empty folder, an executable bit) is
 * put back as recorded.
 */
export function readOutputs(dir: string, options: ReadOptions = {}): ReadOutput {
  if (!fs.existsSync(dir)) return { ok: false, problem: 'missing', detail: `${dir} does not exist` };
  const read = readMeta(dir);
  if (!('meta' in read)) return read as ReadOutput;
  const { meta } = read;
  if (options.fingerprint !== undefined && meta.fingerprint.digest !== options.fingerprint) {
    return { ok: false, problem: 'other', detail: `stored under fingerprint ${meta.fingerprint.digest}, not ${options.fingerprint}` };
  }
  const checks = [() => checkValue(dir, meta, options), () => checkDigestFile(dir, meta), () => checkFiles(path.join(dir, FILES_DIR), meta, options)];
  try {
    for (const check of checks) {
      const c = check();
      if (!c.ok) return c;
    }
  } catch (e) {
    // A part that cannot be read (no permission, a folder in its place) is not a result: recomputed, like a corrupt one.
    return { ok: false, problem: 'corrupt', detail: `it cannot be read (${(e as Error).message})` };
  }
  const untrusted = options.trust?.untrusted(dir, meta);
  if (untrusted !== undefined) return { ok: false, problem: 'corrupt', detail: untrusted };
  return { ok: true, meta };
}

function checkValue(dir: string, meta: StepMeta, options: ReadOptions): Check {
  const v = meta.result.value;
  const root = path.join(dir, VALUE_DIR);
  if (valueDigest(v.format, v.parts) !== v.digest) return bad('corrupt', `${META_FILE}'s value digest does not match its parts`);
  for (const p of v.parts) {
    if (!isPartName(p.path)) return bad('corrupt', `${META_FILE} lists a value part with an unexpected name (${JSON.stringify(p.path)})`);
    const abs = path.join(root, p.path);
    const c = checkFile(abs, `${VALUE_DIR}/${p.path}`, p.size);
    if (!c.ok) return c;
    // The parts go through the caller's memoised hasher.
    const digest = options.digestOf?.(abs);
    if (digest !== undefined && digest !== p.digest) return bad('corrupt', `${VALUE_DIR}/${p.path} does not match its recorded digest`);
  }
  const listed = new Set(v.parts.map((p) => p.path));
  const extra = fs.readdirSync(root).find((name) => !listed.has(name));
  if (extra) return bad('corrupt', `${VALUE_DIR}/${extra} is not part of the recorded result`);
  return OK;
}

function checkDigestFile(dir: string, meta: StepMeta): Check {
  let digestFile = '';
  try {
    digestFile = fs.readFileSync(path.join(dir, RESULT_DIGEST_FILE), 'utf8').trim();
  } catch {
    // handled below
  }
  const { value, files, dirs } = meta.result;
  if (digestFile !== meta.result.digest || resultDigest(value, files, dirs) !== meta.result.digest) {
    return bad('corrupt', `${RESULT_DIGEST_FILE} does not match the recorded result`);
  }
  return OK;
}

function checkFile(abs: string, shown: string, size: number): Check {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(abs);
  } catch {
    return bad('incomplete', `${shown} is missing`);
  }
  if (!st.isFile()) return bad('corrupt', `${shown} is not a regular file`);
  if (st.size !== size) return bad('corrupt', `${shown} does not match its recorded size`);
  return OK;
}

function checkFiles(filesRoot: string, meta: StepMeta, options: ReadOptions): Check {
  const listed = new Set<string>();
  for (const f of meta.result.files) {
    if (!isContainedPath(f?.path)) return bad('corrupt', `${META_FILE} lists a file outside the output folder (${JSON.stringify(f?.path)})`);
    listed.add(f.path);
    const abs = path.join(filesRoot, f.path);
    const c = checkFile(abs, `${FILES_DIR}/${f.path}`, f.size);
    if (!c.ok) return c;
    if (options.digestOf && options.digestOf(abs) !== f.digest) return bad('corrupt', `${FILES_DIR}/${f.path} does not match its recorded digest`);
    restoreExecBit(abs, f.exec === true);
  }
  for (const d of meta.result.dirs) {
    if (!isContainedPath(d)) return bad('corrupt', `${META_FILE} lists a folder outside the output folder (${JSON.stringify(d)})`);
    listed.add(d);
    fs.mkdirSync(path.join(filesRoot, d), { recursive: true });
  }
  const extra = unlistedEntry(filesRoot, listed);
  return extra ? bad('corrupt', `${FILES_DIR}/${extra} is not part of the recorded result`) : OK;
}

/** Puts the recorded executable bit back (a cache may not keep modes); the rest of the mode is left to the umask. */
function restoreExecBit(abs: string, exec: boolean): void {
  const mode = fs.statSync(abs).mode & 0o7777;
  const want = exec ? mode | 0o100 | ((mode & 0o044) << 1) : mode & ~0o111;
  if (want !== mode) fs.chmodSync(abs, want);
}

/** The first entry under `root` that the manifest does not list (folders leading to listed entries excepted). */
function unlistedEntry(root: string, listed: ReadonlySet<string>): string | undefined {
  const walk = (dir: string): string | undefined => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    const rel = toPosix(path.relative(root, dir));
    if (entries.length === 0 && dir !== root && !listed.has(rel)) return rel;
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory() && !e.isSymbolicLink()) {
        const found = walk(abs);
        if (found) return found;
      } else if (!listed.has(toPosix(path.relative(root, abs)))) {
        return toPosix(path.relative(root, abs));
      }
    }
    return undefined;
  };
  return walk(root);
}

/** Decodes the value of a verified output folder (readOutputs said ok). Throws CorruptValue, UnknownType, ArrowMissing. */
export function decodeOutputs(dir: string, meta: StepMeta, options: Pick<DecodeOptions, 'arrowFrom' | 'rawTypes'> = {}): unknown {
  return readValue(path.join(dir, VALUE_DIR), meta.result.value.parts, { outDir: path.join(dir, FILES_DIR), ...options });
}
