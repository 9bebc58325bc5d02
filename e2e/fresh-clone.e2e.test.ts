/**
 * Issue 26: installing nx-steps before it is published, from a fresh clone,
 * exactly as the README says: `git clone`, `npm install`, `npm pack` (no
 * dist/ exists until its `prepack` script builds it), then
 * `nx add nx-steps@file:<tarball>` in a workspace that has never seen
 * nx-steps, a pipeline generated and run twice (the second run restored).
 *
 * The clone is of the committed HEAD of this repository, as CI clones main.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NxResult } from './rig';
import { createBareWorkspace, taskStatuses } from './rig';
import { checkTarball } from './rig/package-contents';
import { REPO_ROOT } from './rig/template';
import type { Workspace } from './rig/workspace';

function ok(r: NxResult, command: string): NxResult {
  if (r.code !== 0) throw new Error(`${command} exited ${r.code}:\n${r.output.replace(/^/gm, '│ ')}`);
  return r;
}

/** A command line in `cwd`, as a user types it, with a user's environment (minus what an outer npm or vitest run set). */
function sh(cwd: string, command: string): string {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('npm_') && !k.startsWith('VITEST') && !k.startsWith('NX_')) env[k] = v;
  return execFileSync('bash', ['-o', 'pipefail', '-c', command], { cwd, env: { ...env, CI: 'true' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('a fresh clone of nx-steps, packed and added to a workspace', () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-fresh-clone-'));
  const clone = path.join(parent, 'nx-steps');
  let ws: Workspace | undefined;
  afterAll(() => {
    ws?.remove();
    fs.rmSync(parent, { recursive: true, force: true });
  });

  it('npm install && npm pack builds dist/ first, and nx add of the tarball works', { timeout: 900_000 }, () => {
    // $ git clone <repository-url> nx-steps && cd nx-steps
    sh(parent, `git clone ${REPO_ROOT} nx-steps`);
    expect(fs.existsSync(path.join(clone, 'dist'))).toBe(false);
    // $ npm install && npm pack
    sh(clone, 'npm install && npm pack');
    const tarballName = fs.readdirSync(clone).find((f) => /^nx-steps-\d+\.\d+\.\d+\.tgz$/.test(f)) ?? '';
    expect(tarballName).not.toBe('');
    expect(checkTarball(path.join(clone, tarballName), clone)).toEqual({ missing: [], unwanted: [] });

    // $ cd ../my-workspace && npx nx add nx-steps@file:../nx-steps/nx-steps-0.1.0.tgz
    ws = createBareWorkspace('fresh-clone', {}, path.join(parent, 'my-workspace'));
    const inWs = (command: string) => ok((ws as Workspace).sh(command), command);
    expect(inWs(`npx nx add nx-steps@file:../nx-steps/${tarballName}`).output).toContain('Package nx-steps added successfully.');
    inWs('npx nx g nx-steps:pipeline etl');
    expect(taskStatuses(inWs('npx nx run etl:summarize').output)).toEqual({ 'etl:load_data': 'run', 'etl:summarize': 'run' });
    expect(taskStatuses(inWs('npx nx run etl:summarize').output)).toEqual({ 'etl:load_data': 'local', 'etl:summarize': 'local' });
  });
});
