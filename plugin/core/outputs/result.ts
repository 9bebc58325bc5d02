/**
 * The narrow API the run path uses to store and read step results. Every
 * expected failure is a value with an NXS code and what to do. The run path
 * writes into a private work folder (run/staging.ts) and installs it only
 * when the result is stored, so a failure here never touches a step's last
 * good outputs:
 *
 *   const outDir = beginResult(workDir);
 *   ... value = await fn(input, { outDir, ... })
 *   const stored = await writeResult(workDir, value, info);
 *
 *   const read = readResult(dir, { digestOf });  // verified, value decoded on demand
 *   if (read.ok) { const v = read.value(); ... }
 */
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import type { Result } from '../util/result';
import { fail, ok } from '../util/result';
import { UnknownType } from './decode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FILES_DIR } from './layout';
import { PeerMissing } from './peers';
import type { FinishInput, OutputProblem, ReadOptions, StepMeta } from './store';
import { decodeOutputs, finishOutputs, readOutputs, UnstorableOutput } from './store';
import { UnstorableValue } from './unstorable';
import { CorruptValue } from './wire';

export interface StorageFailure {
  readonly code: Diagnostic['code'];
  /** unstorable: the value or ctx.outDir cannot be stored; io: the disk refused; corrupt: a stored value cannot be read; arrow-missing: a data library (apache-arrow, nodejs-polars...) cannot be loaded. */
  readonly reason: 'unstorable' | 'io' | 'arrow-missing' | 'unknown-type' | 'corrupt';
  readonly message: string;
  readonly hint: string;
  /** For an unstorable value: where inside it, e.g. `result.model.fit`. */
  readonly path?: string;
}

/** Creates the (new, private) output folder and returns its files folder: ctx.outDir. */
export function beginResult(dir: string): string {
  const files = path.join(dir, FILES_DIR);
  fs.mkdirSync(files, { recursive: true });
  return files;
}

export type WriteResultInfo = Omit<FinishInput, 'value'>;

/** Stores a step's result into its (private) output folder; on any failure the folder is removed. */
export async function writeResult(dir: string, value: unknown, info: WriteResultInfo): Promise<Result<StepMeta, StorageFailure>> {
  try {
    return ok(await finishOutputs(dir, { ...info, value }));
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    const failure = storeFailure(e);
    if (!failure) throw e;
    return fail(failure);
  }
}

const KEPT = 'Nothing was cached; the outputs of the last successful run are kept.';

function storeFailure(e: unknown): StorageFailure | undefined {
  if (e instanceof UnstorableValue) {
    return {
      code: DiagnosticCodes.unstorableResult,
      reason: 'unstorable',
      path: e.path,
      message: `The step's result cannot be cached: ${e.message}.`,
      hint: `Return plain data (objects, arrays, strings, numbers, Map, Set, Date, typed arrays; apache-arrow, flechette and arquero tables, nodejs-polars DataFrames and Series, tfjs and onnxruntime Tensors), register a serializer for your class with registerType(), or write other things to ctx.outDir. ${KEPT}`,
    };
  }
  if (e instanceof UnstorableOutput) return { code: DiagnosticCodes.unstorableResult, reason: 'unstorable', message: e.message, hint: KEPT };
  if (e instanceof PeerMissing) {
    return {
      code: DiagnosticCodes.arrowMissing,
      reason: 'arrow-missing',
      message: `The result holds ${e.what}, but ${e.message}.`,
      hint: `Install it in the workspace: npm install ${e.pkg}. ${KEPT}`,
    };
  }
  const io = ioFailure(e, 'storing the result');
  return io ? { ...io, hint: `${io.hint} ${KEPT}` } : undefined;
}

/** A file system error, with what to do about it; undefined for anything else. */
function ioFailure(e: unknown, doing: string): StorageFailure | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return undefined;
  const hints: Record<string, string> = {
    ENOSPC: 'The disk is full: free space (or move the workspace to a larger disk) and run again.',
    EDQUOT: 'Your disk quota is used up: free space and run again.',
    EACCES: "nx-steps may not write the step's output folder: check its permissions.",
    EPERM: "nx-steps may not write the step's output folder: check its permissions.",
    EROFS: 'The workspace is on a read-only file system.',
    EMFILE: 'Too many open files: raise the limit (ulimit -n) and run again.',
  };
  return {
    code: DiagnosticCodes.storageFailed,
    reason: 'io',
    message: `The file system refused while ${doing}: ${(e as Error).message}.`,
    hint: hints[code] ?? 'Check the disk and the permissions of the output folder, then run again.',
  };
}

export type ResultRead =
  | { readonly ok: true; readonly meta: StepMeta; readonly value: () => Result<unknown, StorageFailure> }
  | { readonly ok: false; readonly problem: OutputProblem; readonly detail: string };

export interface ReadResultOptions extends ReadOptions {
  /** Where apache-arrow resolves from when the value holds a Table (the workspace root). */
  readonly arrowFrom?: string;
  /** Registered types as their stored data (StoredInstance), for tools that run no user code. */
  readonly rawTypes?: boolean;
}

/** Verifies an output folder; its value is decoded on the first call to `value()` (and kept once it succeeds). */
export function readResult(dir: string, options: ReadResultOptions = {}): ResultRead {
  const read = readOutputs(dir, options);
  if (!read.ok) return read;
  let decoded: { value: unknown } | undefined;
  const value = (): Result<unknown, StorageFailure> => {
    if (decoded) return ok(decoded.value);
    try {
      decoded = {
        value: decodeOutputs(dir, read.meta, {
          ...(options.arrowFrom ? { arrowFrom: options.arrowFrom } : {}),
          ...(options.rawTypes ? { rawTypes: true } : {}),
        }),
      };
      return ok(decoded.value);
    } catch (e) {
      const failure = readFailure(e);
      if (!failure) throw e;
      return fail(failure);
    }
  };
  return { ok: true, meta: read.meta, value };
}

function readFailure(e: unknown): StorageFailure | undefined {
  if (e instanceof CorruptValue)
    return { code: DiagnosticCodes.corruptOutput, reason: 'corrupt', message: `The stored result is corrupt: ${e.message}.`, hint: 'It will be recomputed.' };
  if (e instanceof UnknownType) {
    return {
      code: DiagnosticCodes.unknownResultType,
      reason: 'unknown-type',
      message: `The stored result cannot be read: ${e.message}.`,
      hint: `Import the module that calls registerType('${e.typeName}', ...) before the result is read (for a step: from its pipeline file).`,
    };
  }
  if (e instanceof PeerMissing)
    return {
      code: DiagnosticCodes.arrowMissing,
      reason: 'arrow-missing',
      message: `The stored result holds ${e.what}, but ${e.message}.`,
      hint: `Install it in the workspace: npm install ${e.pkg}.`,
    };
  return ioFailure(e, 'reading the stored result');
}

/** A failure as a diagnostic of a step (`argument` names the upstream input it came from, when it did). */
export function failureDiagnostic(failure: StorageFailure, where: { readonly project: string; readonly step: string; readonly argument?: string }): Diagnostic {
  const argument = where.argument ?? failure.path;
  return {
    code: failure.code,
    severity: 'error',
    message: failure.message,
    hint: failure.hint,
    project: where.project,
    step: where.step,
    ...(argument ? { argument } : {}),
  };
}
