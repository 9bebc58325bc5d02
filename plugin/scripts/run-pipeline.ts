/**
 * `runPipeline('etl')`: runs a pipeline's steps from a script, through the
 * workspace's own nx (so the Nx cache, local and remote, and every Nx
 * option in nx.json apply as with `nx run`), and returns what each step did:
 * flowyml's `pipeline.run()`.
 *
 *   const run = await runPipeline('etl');
 *   for (const [name, s] of Object.entries(run.steps)) console.log(name, s.cached ? 'CACHED' : 'EXECUTED', s.durationMs);
 *   console.log(`hit rate ${Math.round((run.hitRate ?? 0) * 100)}%`);
 *
 * The per-step figures come from the run record the plugin writes after the
 * command (see plugin/core/records), so they are the ones `nx-steps report`
 * shows for the same run. `run.values.<step>` is each step's result, read
 * from its outputs when first used (a large result costs nothing until then).
 *
 *   const { values } = await runPipeline('ml');
 *   console.log(values.evaluate);
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readRunRecords } from '../core/records/record-store';
import type { RunRecord } from '../core/records/run-record';
import { isHit, isLookup, RUN_ID_ENV } from '../core/records/run-record';
import { FRESH_ENV } from '../core/state/salts';
import { outputDir } from '../core/outputs/layout';
import { decodeStored } from './load-result';

export type { PipelineRun, RunPipelineOptions, StepRun } from './run-pipeline-types';
import type { PipelineRun, RunFigures, RunPipelineOptions } from './run-pipeline-types';

const STEP_EXECUTOR = 'nx-steps:step';

interface Exec {
  readonly code: number;
  readonly stdout: string;
  /** stdout and stderr as they came. */
  readonly output: string;
}

function exec(nxBin: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, echo: boolean): Promise<Exec> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [nxBin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    const take = (target: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (target === process.stdout) stdout += chunk.toString('utf8');
      if (echo) target.write(chunk);
    };
    child.stdout.on('data', take(process.stdout));
    child.stderr.on('data', take(process.stderr));
    child.on('error', (e) => resolve({ code: -1, stdout, output: `${output}${e.message}\n` }));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, output }));
  });
}

function workspaceOf(from: string): string | undefined {
  let dir = path.resolve(from);
  while (!fs.existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return dir;
}

function nxBinOf(root: string): string | undefined {
  try {
    const pkgFile = require.resolve('nx/package.json', { paths: [root] });
    const bin = (JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { bin?: { nx?: string } }).bin?.nx;
    return bin ? path.join(path.dirname(pkgFile), bin) : undefined;
  } catch {
    return undefined;
  }
}

/** Step results as lazy properties: decoded (once) when read. */
function lazyValues(root: string | undefined, projectRoot: string | undefined, project: string, steps: readonly string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  if (root === undefined || projectRoot === undefined) return values;
  for (const step of steps) {
    let memo: { value: unknown } | undefined;
    const dir = path.join(root, outputDir(projectRoot, step));
    Object.defineProperty(values, step, {
      enumerable: true,
      get: () => (memo ??= { value: decodeStored({ root, dir }, `${project}:${step}`) }).value,
    });
  }
  return values;
}

function figures(record: RunRecord | undefined, project: string, output: string, where?: { root: string; projectRoot: string | undefined }): RunFigures {
  const mine = record?.steps.filter((s) => s.project === project) ?? [];
  const withValue = mine.flatMap((s) => (s.source === 'failed' || s.source === 'skipped' ? [] : [s.step]));
  const lookups = mine.filter((s) => isLookup(s.source)).length;
  const hits = mine.filter((s) => isHit(s.source)).length;
  return {
    steps: Object.fromEntries(mine.map((s) => [s.step, { cached: isHit(s.source), source: s.source, durationMs: s.durationMs, savedMs: s.savedMs ?? 0 }])),
    hitRate: lookups ? hits / lookups : null,
    savedMs: mine.reduce((n, s) => n + (s.savedMs ?? 0), 0),
    values: lazyValues(where?.root, where?.projectRoot, project, withValue),
    output,
  };
}

/** The steps and every step they need, from the targets' dependsOn (step targets depend on sibling targets by name). */
function withNeeds(steps: readonly string[], targets: Readonly<Record<string, { dependsOn?: unknown[] }>>): string[] {
  const out = new Set<string>();
  const visit = (name: string): void => {
    if (out.has(name)) return;
    out.add(name);
    for (const dep of targets[name]?.dependsOn ?? []) {
      // A string, or { target, params: 'forward' } (plugin/nx/targets.ts).
      const target = typeof dep === 'string' ? dep : (dep as { target?: unknown }).target;
      if (typeof target === 'string' && target in targets) visit(target);
    }
  };
  steps.forEach(visit);
  return [...out];
}

/** This run's record: by its id, or (when the hook ran in the Nx daemon, without our env) the newest one since we started. */
function findRecord(root: string, runId: string, startedAt: number, project: string): RunRecord | undefined {
  const candidates = readRunRecords(root, { since: startedAt - 1_000 });
  return (
    candidates.find((r) => r.runId === runId) ?? [...candidates].reverse().find((r) => r.runId === undefined && r.steps.some((s) => s.project === project))
  );
}

type ShownTargets = Record<string, { executor?: string; dependsOn?: unknown[]; metadata?: { technologies?: unknown } }>;

/** What `nx show project --json` says about a pipeline project: its step targets, and its fan-outs' group targets. */
function pipelineTargets(json: string): { targets: ShownTargets; projectRoot: string | undefined; all: string[]; groups: string[] } {
  let targets: ShownTargets = {};
  let projectRoot: string | undefined;
  try {
    const shownProject = JSON.parse(json) as { targets?: ShownTargets; root?: string };
    targets = shownProject.targets ?? {};
    projectRoot = shownProject.root;
  } catch {
    // Not a project: no steps, which the caller reports.
  }
  const all = Object.entries(targets).flatMap(([name, t]) => (t.executor === STEP_EXECUTOR ? [name] : []));
  // A fan-out step's group target (plugin/nx/targets.ts) may be named too: it runs every item.
  const groups = Object.entries(targets).flatMap(([name, t]) =>
    t.executor === 'nx:noop' && Array.isArray(t.metadata?.technologies) && t.metadata.technologies.includes('nx-steps') ? [name] : [],
  );
  return { targets, projectRoot, all, groups };
}

export async function runPipeline(project: string, options: RunPipelineOptions = {}): Promise<PipelineRun> {
  const cwd = options.cwd ?? process.cwd();
  const none = figures(undefined, project, '');
  const root = workspaceOf(cwd);
  const nxBin = root ? nxBinOf(root) : undefined;
  if (!root || !nxBin) {
    const message = root
      ? `nx is not installed in ${root}: run npm install there.`
      : `No nx.json in ${cwd} or any folder above it: runPipeline() must run inside an Nx workspace (or pass { cwd }).`;
    return { ok: false, project, reason: 'no-workspace', message, ...none };
  }
  const echo = options.quiet !== true;
  const shown = await exec(nxBin, ['show', 'project', project, '--json'], root, process.env, false);
  const { targets, projectRoot, all, groups } = pipelineTargets(shown.stdout);
  if (shown.code !== 0 || all.length === 0) {
    return {
      ok: false,
      project,
      reason: 'unknown-project',
      message: `No pipeline project named "${project}" in ${root} (nx show project ${project} found ${shown.code === 0 ? 'no steps' : 'no such project'}). Check the name with \`nx show projects\`.`,
      ...figures(undefined, project, shown.output),
    };
  }
  const unknown = (options.steps ?? []).filter((s) => !all.includes(s) && !groups.includes(s));
  if (unknown.length) {
    return {
      ok: false,
      project,
      reason: 'unknown-step',
      message: `Pipeline ${project} has no step ${unknown.join(', ')}. Its steps: ${all.join(', ')}.`,
      ...none,
    };
  }

  const steps = options.steps?.length ? options.steps : all;
  return runSteps({ nxBin, root, project, projectRoot, targets, echo }, steps, options);
}

interface PipelineContext {
  readonly nxBin: string;
  readonly root: string;
  readonly project: string;
  readonly projectRoot: string | undefined;
  readonly targets: ShownTargets;
  readonly echo: boolean;
}

/** Runs the steps (all of the pipeline's, or those named) with `nx run-many`, and reads what the run recorded. */
async function runSteps(
  { nxBin, root, project, projectRoot, targets, echo }: PipelineContext,
  steps: readonly string[],
  options: RunPipelineOptions,
): Promise<PipelineRun> {
  const runId = randomUUID();
  const started = Date.now();
  const params = Object.entries(options.params ?? {}).map(([k, v]) => `--${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const args = ['run-many', `--projects=${project}`, `--targets=${steps.join(',')}`, ...params];
  const fresh = options.fresh
    ? { [FRESH_ENV]: (options.steps?.length ? withNeeds(steps, targets) : [project]).map((s) => (s === project ? s : `${project}:${s}`)).join(',') }
    : {};
  const ran = await exec(nxBin, args, root, { ...process.env, [RUN_ID_ENV]: runId, ...fresh }, echo);
  const durationMs = Date.now() - started;
  const record = findRecord(root, runId, started, project);
  const result = figures(record, project, ran.output, { root, projectRoot });
  if (ran.code !== 0) {
    const failed = Object.entries(result.steps).flatMap(([name, s]) => (s.source === 'failed' ? [name] : []));
    return {
      ok: false,
      project,
      reason: 'failed',
      exitCode: ran.code,
      message: `nx ${args.join(' ')} exited ${ran.code}${failed.length ? `: ${failed.join(', ')} failed` : ''}. Its output is in .output.`,
      ...result,
    };
  }
  if (!record) {
    return {
      ok: false,
      project,
      reason: 'no-record',
      message: `The run succeeded, but left no run record in ${root}/.nx-steps/runs. Is "nx-steps/plugin" registered in nx.json?`,
      ...result,
    };
  }
  return { ok: true, project, durationMs, ...result };
}
