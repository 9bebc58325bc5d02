/**
 * `nx-steps show <project>:<step>`: prints the result a step stored, as a
 * person reads it: tables as tables, big arrays summarised, the files it
 * wrote to ctx.outDir with their sizes. Reads the outputs on disk (verified
 * against step.json); runs nothing, and no user code (an instance of a
 * registered type shows its stored data).
 */
import * as path from 'node:path';
import { outputDir } from '../../plugin/core/outputs/layout';
import { renderValue } from '../../plugin/core/outputs/render-value';
import { readResult } from '../../plugin/core/outputs/result';
import { formatDuration } from '../../plugin/core/util/duration';
import { parseArgs, UsageError } from '../args';
import type { Command } from '../command';
import { loadWorkspace, resolveTarget } from '../workspace';

const size = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : bytes < 1024 ** 3
        ? `${(bytes / 1024 ** 2).toFixed(1)} MiB`
        : `${(bytes / 1024 ** 3).toFixed(2)} GiB`;

export const showCommand: Command = {
  name: 'show',
  summary: 'Print the result a step stored (tables as tables, big arrays summarised)',
  usage:
    "nx-steps show <project>:<step> [--rows N]\n\nReads the step's outputs on disk (run it first: nx run <project>:<step>) and prints its result,\nthe files it wrote to ctx.outDir, and when and how it was made. Runs nothing.",
  async run(argv, io) {
    const args = parseArgs(argv, 'show', { rows: 'string' });
    const spec = args.positionals[0];
    if (!spec || args.positionals.length > 1) throw new UsageError('nx-steps show: expected one <project>:<step>.');
    const given = args.flags['rows'];
    // `--rows` with no number is not 1 row (Number(true)), nor `--rows=` 0 rows.
    const rows = given === undefined ? 10 : typeof given === 'string' && /^\d+$/.test(given) ? Number(given) : NaN;
    if (!Number.isInteger(rows) || rows < 0) throw new UsageError('nx-steps show: --rows takes a whole number.');
    const ws = await loadWorkspace(io.cwd);
    try {
      const { project, step } = resolveTarget(ws.model, spec);
      if (!step) throw new UsageError('nx-steps show: expected <project>:<step>, not a whole project.');
      const target = `${project.displayName}:${step.name}`;
      const read = readResult(path.join(ws.root, outputDir(project.root, step.name)), { arrowFrom: ws.root, rawTypes: true });
      if (!read.ok) {
        io.err(
          `nx-steps show: ${target} has ${read.problem === 'missing' ? 'no stored result' : `no usable result (${read.detail})`}. Run it: nx run ${target}\n`,
        );
        return 1;
      }
      const value = read.value();
      if (!value.ok) {
        io.err(`nx-steps show: ${value.error.code}: ${value.error.message} ${value.error.hint}\n`);
        return 1;
      }
      const { meta } = read;
      const v = meta.result.value;
      io.out(`${target}  made ${meta.createdAt} in ${formatDuration(meta.durationMs)}, fingerprint ${meta.fingerprint.digest.slice(0, 12)}\n`);
      io.out(
        `result ${meta.result.digest.slice(0, 12)}: ${size(v.bytes)} in ${v.parts.length} part${v.parts.length === 1 ? '' : 's'} (${v.format}), ${meta.result.files.length} file${meta.result.files.length === 1 ? '' : 's'} in ctx.outDir\n\n`,
      );
      io.out(`${renderValue(value.value, { rows })}\n`);
      if (meta.result.files.length || meta.result.dirs.length) {
        io.out('\nfiles (ctx.outDir):\n');
        for (const f of meta.result.files) io.out(`  ${f.path}  ${size(f.size)}${f.exec ? '  (executable)' : ''}\n`);
        for (const d of meta.result.dirs) io.out(`  ${d}/  (empty folder)\n`);
      }
      return 0;
    } finally {
      ws.services.flush();
    }
  },
};
