/**
 * `npm run example`: runs the example pipeline (examples/etl) twice in a fresh
 * Nx workspace with nx-steps installed from `npm pack`, and shows which steps
 * executed and which came from the cache.
 *
 * The workspace stays in examples/.workspace/etl-demo afterwards, to explore:
 *   cd examples/.workspace/etl-demo && npx nx show project etl
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packPlugin, prepareTemplate, REPO_ROOT } from '../e2e/rig/template';
import type { TaskStatus } from '../e2e/rig/workspace';
import { createWorkspaceFrom, taskStatuses } from '../e2e/rig/workspace';

const here = path.join(REPO_ROOT, 'examples');
const scratch = path.join(here, '.workspace');

function copyTree(from: string, to: string, files: Record<string, string>): void {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const abs = path.join(from, entry.name);
    if (entry.isDirectory()) copyTree(abs, path.join(to, entry.name), files);
    else files[path.join(to, entry.name)] = fs.readFileSync(abs, 'utf8');
  }
}

function describeStatus(status: TaskStatus | undefined, ms: number | undefined): string {
  const time = ms === undefined ? '' : ` (${(ms / 1000).toFixed(2)}s)`;
  switch (status) {
    case 'local':
      return 'cached: restored from the local Nx cache';
    case 'remote':
      return 'cached: restored from the remote Nx cache';
    case 'kept':
      return 'cached: outputs already in place';
    case 'run':
      return `executed${time}`;
    default:
      return 'not part of this run';
  }
}

function main(): void {
  console.log('Packing nx-steps and preparing a fresh Nx workspace...');
  const tarball = packPlugin(path.join(scratch, 'pack'));
  const template = prepareTemplate(tarball);
  const files: Record<string, string> = {};
  copyTree(path.join(here, 'etl'), 'etl', files);
  const ws = createWorkspaceFrom(template, 'etl-demo', files, path.join(scratch, 'etl-demo'));
  console.log(`Workspace: ${path.relative(process.cwd(), ws.root)}\n`);

  const steps = ['load_data', 'clean_data', 'upload'];
  for (const run of [1, 2]) {
    console.log(`━━━ Run ${run}: npx nx run etl:upload ━━━`);
    const started = Date.now();
    const result = ws.sh('npx nx run etl:upload');
    const wall = (Date.now() - started) / 1000;
    process.stdout.write(result.stdout);
    if (result.code !== 0) {
      process.stderr.write(result.stderr);
      process.exitCode = 1;
      return;
    }
    // nx-steps' own count, beside Nx's "Cache: N/M hit" (the post-task hook writes it to stderr).
    const called = /^nx-steps: step functions called: .*$/m.exec(result.stderr)?.[0];
    if (called) console.log(`\n${called}`);
    const statuses = taskStatuses(result.output);
    console.log(`\nRun ${run} summary (${wall.toFixed(1)}s wall time):`);
    for (const step of steps) {
      const metaFile = ws.path(`etl/.nx-steps/out/${step}/step.json`);
      const meta = fs.existsSync(metaFile) ? (JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { durationMs: number }) : undefined;
      console.log(`  ${step.padEnd(11)} ${describeStatus(statuses[`etl:${step}`], meta?.durationMs)}`);
    }
    console.log('');
  }
  console.log('load_data and clean_data came from the cache on the second run; upload is declared cache: false, so it always runs.');
}

main();
