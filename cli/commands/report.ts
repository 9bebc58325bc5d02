/**
 * `nx-steps report`: what ran, what came from the cache, and what that
 * saved, from the run records the plugin writes after every Nx command
 * (plugin/core/records).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunRecord } from '../../plugin/core/records/run-record';
import { readRunRecords, runsDir } from '../../plugin/core/records/record-store';
import { summarize } from '../../plugin/core/records/summarize';
import { parseDuration } from '../../plugin/core/util/duration';
import { parseArgs, UsageError } from '../args';
import type { Command } from '../command';
import type { LoadedWorkspace } from '../workspace';
import { findWorkspaceRoot, loadWorkspace } from '../workspace';
import type { PipelineShape } from '../report/html';
import { renderHtmlReport } from '../report/html';
import { renderRun, renderRuns } from '../report/text';
import { renderExperiments } from '../report/experiments';
import { experimentTable } from '../../plugin/core/records/experiments';

const USAGE = `nx-steps report [<project>] [--last | --since <duration>] [--experiments] [--json] [--html <file>]

Cache performance of recorded runs, per step and in total: lookups, hits
(local cache, remote cache, kept on disk), misses, hit rate, time saved.
Every Nx command that runs steps is recorded (the last 200 runs, up to 30 days).

  <project>           only this pipeline project's steps
  --last              the last run, step by step
  --since <duration>  runs that started within this time: 90m, 24h, 7d, 2w
  --experiments       runs side by side: each run's params, the metrics its steps
                      reported (ctx.metric), what ran and what was cached
  --json              machine-readable output
  --html <file>       also write a self-contained page: the pipeline DAG coloured
                      by the last run, and a timeline of that run`;

interface Selection {
  readonly records: RunRecord[];
  /** For messages: 'in the last run', 'in the last 7d', 'recorded'. */
  readonly window: string;
}

function onlyProject(records: readonly RunRecord[], project: string | undefined): RunRecord[] {
  if (project === undefined) return [...records];
  return records.flatMap((r) => {
    const steps = r.steps.filter((s) => s.project === project);
    return steps.length ? [{ ...r, steps }] : [];
  });
}

function select(root: string, flags: Readonly<Record<string, string | true>>, project: string | undefined, now: number): Selection {
  const since = flags['since'];
  if (flags['last'] && since !== undefined) throw new UsageError('nx-steps report: use either --last or --since, not both.');
  if (since !== undefined) {
    const windowMs = typeof since === 'string' ? parseDuration(since) : undefined;
    if (windowMs === undefined)
      throw new UsageError(`nx-steps report: --since needs a duration such as 90m, 24h, 7d or 2w${typeof since === 'string' ? `, got "${since}"` : ''}.`);
    return { records: onlyProject(readRunRecords(root, { since: now - windowMs }), project), window: `in the last ${since}` };
  }
  const all = onlyProject(readRunRecords(root), project);
  return flags['last'] ? { records: all.slice(-1), window: 'in the last run' } : { records: all, window: 'recorded' };
}

/** The DAG of each project of the run, from the pipeline files as they are now. */
function pipelinesOf(run: RunRecord, ws: LoadedWorkspace): PipelineShape[] {
  const projects = [...new Set(run.steps.map((s) => s.project))];
  return projects.map((name) => {
    const model = ws.model.projects.find((p) => p.displayName === name);
    if (!model) {
      // Renamed or removed since the run: draw what the record knows, without edges.
      return { project: name, steps: run.steps.filter((s) => s.project === name).map((s) => ({ name: s.step, needs: [], cache: '?' })) };
    }
    return {
      project: name,
      steps: model.steps.map((s) => ({
        name: s.name,
        needs: [...new Set(Object.values(s.needs))],
        cache: s.cache.enabled ? s.cache.strategy : 'cache: false',
      })),
    };
  });
}

/**
 * A project is known when a recorded run touched it (it may have been renamed
 * since) or the workspace has a pipeline project of that name (it may not
 * have run yet). Anything else is a typo, not an empty report.
 */
async function assertProjectKnown(root: string, cwd: string, project: string): Promise<void> {
  if (readRunRecords(root).some((r) => r.steps.some((s) => s.project === project))) return;
  const ws = await loadWorkspace(cwd);
  ws.services.flush();
  const names = ws.model.projects.map((p) => p.displayName).sort();
  if (names.includes(project)) return;
  throw new UsageError(`nx-steps report: no such project "${project}". Pipeline projects: ${names.join(', ') || '(none)'}.`);
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'Lookups, hits, misses, hit rate and time saved, per step and in total',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, 'report', { last: 'boolean', since: 'string', json: 'boolean', html: 'string', experiments: 'boolean' });
    if (args.positionals.length > 1) throw new UsageError(`nx-steps report: expected at most one project, got ${args.positionals.join(' ')}.`);
    const project = args.positionals[0];
    const html = args.flags['html'];
    if (html === true) throw new UsageError('nx-steps report: --html needs a file name, e.g. --html report.html.');

    const root = findWorkspaceRoot(io.cwd);
    if (project !== undefined) await assertProjectKnown(root, io.cwd, project);
    const { records, window } = select(root, args.flags, project, Date.now());
    const summary = summarize(records);
    const lastRun = records[records.length - 1];

    if (html !== undefined) {
      if (!lastRun) {
        io.err(
          `nx-steps report: no recorded run ${window}${project ? ` of ${project}` : ''}, so there is nothing to draw. Run a step first (nx run <project>:<step>).\n`,
        );
        return 1;
      }
      const ws = await loadWorkspace(io.cwd);
      const pipelines = pipelinesOf(lastRun, ws);
      ws.services.flush();
      const page = renderHtmlReport({ run: lastRun, summary, window, pipelines, generatedAt: new Date().toISOString() });
      const file = path.resolve(io.cwd, html);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, page);
    }

    if (args.flags['experiments'] && lastRun) {
      const experiments = experimentTable(records);
      io.out(
        args.flags['json']
          ? `${JSON.stringify({ window, ...(project ? { project } : {}), experiments }, null, 2)}\n`
          : renderExperiments(experiments, window, project),
      );
    } else if (args.flags['json']) {
      io.out(`${JSON.stringify({ window, ...(project ? { project } : {}), summary, ...(lastRun ? { lastRun } : {}) }, null, 2)}\n`);
    } else if (!lastRun) {
      io.out(
        `No runs recorded ${window === 'recorded' ? 'yet' : window}${project ? ` for ${project}` : ''} (records live in ${path.relative(io.cwd, runsDir(root)) || '.'}).\nRun a step, e.g. nx run <project>:<step>: nx-steps/plugin records every Nx command that runs steps.\n`,
      );
    } else {
      io.out(args.flags['last'] ? renderRun(lastRun, summary) : renderRuns(summary, window));
    }
    if (typeof html === 'string' && !args.flags['json']) io.out(`\nWrote ${html}\n`);
    return 0;
  },
};
