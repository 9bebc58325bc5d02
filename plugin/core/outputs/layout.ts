/**
 * Where a step's outputs live: {projectRoot}/.nx-steps/out/<step>/
 *   files/          ctx.outDir: files the step wrote
 *   value/          the serialized result (value-layout.ts: MessagePack, raw
 *                   typed arrays, Arrow IPC files)
 *   result.xxh128   digest of value + files: what downstream steps hash
 *   step.json       metadata, written last: an output without it is never trusted
 */
import { joinPosix } from '../util/paths';

export const OUTPUT_ROOT = '.nx-steps/out';
export const FILES_DIR = 'files';
export const VALUE_DIR = 'value';
export const RESULT_DIGEST_FILE = 'result.xxh128';
export const META_FILE = 'step.json';

/** Workspace-relative output folder of a step. */
export function outputDir(projectRoot: string, step: string): string {
  return joinPosix(projectRoot, OUTPUT_ROOT, step);
}

/**
 * The `dependentTasksOutputFiles` glob: only the result digest of each
 * upstream step, so a downstream step's hash changes exactly when an
 * upstream result changes (early cutoff), and Nx never reads large outputs.
 */
export const UPSTREAM_DIGEST_GLOB = `**/${OUTPUT_ROOT}/*/${RESULT_DIGEST_FILE}`;
