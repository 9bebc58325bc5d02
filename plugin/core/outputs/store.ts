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

export type OutputProblem = 'missing' | 'incomplete' | 'corrupt';

export type ReadOutput =
  | { readonly ok: true; readonly meta: StepMeta; readonly valueText: string }
  | { readonly ok: false; readonly problem: OutputProblem; readonly detail: string };

/**
 * Reads and verifies an output folder. `deep` also re-hashes every file
 * (the value and the digest file are always checked).
 */
export function readOutputs(dir: string, { deep = false }: { deep?: boolean } = {}): ReadOutput {
  if (!fs.existsSync(dir)) return { ok: false, problem: 'missing', detail: `${dir} does not exist` };
  const meta = readJsonIfExists<StepMeta>(path.join(dir, META_FILE));
  if (!meta) return { ok: false, problem: 'incomplete', detail: `${META_FILE} is missing or unreadable (the step did not finish writing)` };
  if (meta.schema !== META_SCHEMA || !meta.result || !meta.fingerprint) {
    return { ok: false, problem: 'corrupt', detail: `${META_FILE} has an unknown format` };
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
  for (const f of meta.result.files) {
    const abs = path.join(dir, FILES_DIR, f.path);
    let size = -1;
    try {
      size = fs.statSync(abs).size;
    } catch {
      return { ok: false, problem: 'incomplete', detail: `${FILES_DIR}/${f.path} is missing` };
    }
    if (size !== f.size || (deep && hashFileContent(abs) !== f.digest)) {
      return { ok: false, problem: 'corrupt', detail: `${FILES_DIR}/${f.path} does not match its recorded ${size !== f.size ? 'size' : 'digest'}` };
    }
  }
  return { ok: true, meta, valueText };
}
