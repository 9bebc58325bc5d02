/**
 * `nx-steps why <project>:<step>`: will the next run of a step hit, and if
 * not, which part of its key changed since the run that made the result on
 * disk. Runs no step: it computes the key the executor would compute
 * (plugin/core/explain).
 */
import { formatWorkspaceDiagnostics } from '../../plugin/core/diagnostics';
import type { StepExplanation } from '../../plugin/core/explain/next-run';
import { explainNextRun } from '../../plugin/core/explain/next-run';
import { readRunRecords } from '../../plugin/core/records/record-store';
import { parseArgs, UsageError } from '../args';
import type { Command } from '../command';
import { loadWorkspace, resolveTarget } from '../workspace';
import { ms, when } from '../report/labels';

const USAGE = `nx-steps why <project>:<step> [--json] [--<param>=<value> ...]

Says whether the next \`nx run <project>:<step>\` will call the step function,
and if it will, which part of the step's key changed since the run that made
the result on disk: code (which file, which package), a file or dir argument,
a param, an upstream result, the cache strategy, the version salt, the
nx-steps version. Upstream steps that will run are explained too.

Nothing runs. Param overrides are read like \`nx run\` reads them:
  nx-steps why etl:summary --scale=3`;

function lastRun(e: StepExplanation): string {
  return e.last ? `the run that made its result on disk (${when(e.last.createdAt)}, took ${ms(e.last.durationMs)})` : 'the run that made its result on disk';
}

function headline(target: string, e: StepExplanation): string {
  const v = e.verdict;
  switch (v.kind) {
    case 'hit':
      return v.via === 'outputs-on-disk'
        ? `${target} will not run: its key is unchanged since ${lastRun(e)}, so its result on disk is used.`
        : `${target} will not run: a run on ${when(v.cachedAt ?? '')} cached a result with this exact key, which Nx restores (unless its cache has dropped it since).`;
    case 'run':
      return v.because === 'no-result'
        ? `${target} will run: it has no result on disk, and no recorded run cached one with this key.`
        : `${target} will run: its key changed since ${lastRun(e)}:`;
    case 'upstream':
      return `${target} waits on ${v.steps.join(', ')}, which will run first. Its own key is unchanged, so it re-runs only if ${v.steps.length > 1 ? 'their results change' : 'that result changes'} (early cutoff).`;
    case 'always':
      return `${target} runs every time: it is declared cache: false.`;
    case 'error':
      return `${target} cannot run as things are:`;
  }
}

function block(target: string, e: StepExplanation, root: string, indent: string): string[] {
  const lines = [`${indent}${headline(target, e)}`];
  if (e.verdict.kind === 'error') {
    lines.push(
      '',
      ...formatWorkspaceDiagnostics(root, e.verdict.diagnostics)
        .split('\n')
        .map((l) => `${indent}  ${l}`),
    );
    return lines;
  }
  const listed = e.verdict.kind === 'run' || (e.verdict.kind === 'hit' && e.verdict.via === 'nx-cache');
  if (listed && e.changes.length) {
    if (e.verdict.kind === 'hit') lines.push(`${indent}  Compared with the result on disk (${lastRun(e)}):`);
    lines.push(...e.changes.map((c) => `${indent}  - ${c.message}`));
  }
  return lines;
}

export const whyCommand: Command = {
  name: 'why',
  summary: 'Whether the next run of a step will hit, and what changed if not',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, 'why', { json: 'boolean' }, 'keep');
    if (args.positionals.length !== 1) throw new UsageError(`nx-steps why: expected one <project>:<step>, e.g. nx-steps why etl:clean_data.`);
    const ws = await loadWorkspace(io.cwd);
    const spec = args.positionals[0] as string;
    const { project, step } = resolveTarget(ws.model, spec);
    if (!step) throw new UsageError(`nx-steps why: name a step: ${project.displayName}:<step>. Steps: ${project.steps.map((s) => s.name).join(', ')}.`);
    // Every flag but --json is a param override, as on `nx run`; an unknown one is reported by name.
    const { json, ...overrides } = args.flags;
    try {
      const explanations = await explainNextRun(
        ws.services,
        {
          workspaceRoot: ws.root,
          project: project.displayName,
          projectRoot: project.root,
          pipelineFiles: project.pipelineFiles,
          overrides,
          env: io.env,
          history: readRunRecords(ws.root).filter((r) => r.steps.some((s) => s.project === project.displayName)),
        },
        step.name,
      );
      const target = explanations[explanations.length - 1] as StepExplanation;
      const upstream = explanations.slice(0, -1);
      if (json) {
        io.out(`${JSON.stringify({ target: `${project.displayName}:${step.name}`, ...target, upstream }, null, 2)}\n`);
        return 0;
      }
      const lines = block(`${project.displayName}:${step.name}`, target, ws.root, '');
      const running = upstream.filter((e) => e.verdict.kind !== 'hit');
      if (running.length) {
        lines.push('', 'Upstream:');
        for (const e of running) lines.push(...block(e.step, e, ws.root, '  '));
      }
      io.out(`${lines.join('\n')}\n`);
      return 0;
    } finally {
      ws.services.flush();
    }
  },
};
