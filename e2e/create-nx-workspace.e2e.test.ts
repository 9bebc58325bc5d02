/**
 * Issue 26: the README's set-up from a workspace made today, command by
 * command: `npx create-nx-workspace@latest` as the registry serves it (no
 * Nx Cloud, no push, no prompt: CI=true, no stdin), `nx add` of the packed
 * tarball, a pipeline generated, type-checked with the workspace's own
 * TypeScript, run, and re-run from the cache.
 *
 * Which Nx that is depends on the registry's `latest` tag (23.2.1 when this
 * was written, with TypeScript 6): the test says which it got.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { taskStatuses } from './rig';
import type { NxResult } from './rig/workspace';
import { cleanEnv, Workspace } from './rig/workspace';

function ok(r: NxResult, command: string): NxResult {
  if (r.code !== 0) throw new Error(`${command} exited ${r.code}:\n${r.output.replace(/^/gm, '│ ')}`);
  return r;
}

describe('from create-nx-workspace@latest', () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-cnw-'));
  let ws: Workspace | undefined;
  afterAll(() => {
    ws?.remove();
    fs.rmSync(parent, { recursive: true, force: true });
  });

  it('create-nx-workspace, nx add of the tarball, a pipeline that type-checks, a run and a cached re-run', { timeout: 900_000 }, () => {
    // $ npx create-nx-workspace@latest my-workspace ...   (in an empty folder, with a clean environment)
    const here = new Workspace(parent, cleanEnv(`${parent}-nx-cache`));
    const git = { GIT_AUTHOR_NAME: 'e2e', GIT_AUTHOR_EMAIL: 'e2e@example.com', GIT_COMMITTER_NAME: 'e2e', GIT_COMMITTER_EMAIL: 'e2e@example.com' };
    const created = here.sh(
      'npx -y create-nx-workspace@latest my-workspace --preset=ts --nxCloud=skip --skipGitHubPush --aiAgents=none --analytics=false --pm=npm --no-interactive',
      { env: { ...git, CI: 'true' }, timeoutMs: 600_000 },
    );
    ok(created, 'npx create-nx-workspace@latest');
    // $ cd my-workspace
    const root = path.join(parent, 'my-workspace');
    ws = new Workspace(root, cleanEnv(`${root}-nx-cache`));
    const sh = (command: string) => ok((ws as Workspace).sh(command), command);
    const nxVersion = (JSON.parse(ws.read('node_modules/nx/package.json')) as { version: string }).version;
    console.log(`create-nx-workspace@latest made an Nx ${nxVersion} workspace`);

    // $ npx nx add nx-steps@file:<tarball>
    expect(sh(`npx nx add nx-steps@file:${inject('tarball')}`).output).toContain('Package nx-steps added successfully.');
    // $ npx nx g nx-steps:pipeline etl
    sh('npx nx g nx-steps:pipeline etl');
    // $ npx tsc --noEmit -p tsconfig.base.json      (the workspace's own TypeScript)
    expect(sh('npx tsc --noEmit -p tsconfig.base.json').output.trim()).toBe('');
    // $ npx nx run etl:summarize (twice)
    expect(taskStatuses(sh('npx nx run etl:summarize').output)).toEqual({ 'etl:load_data': 'run', 'etl:summarize': 'run' });
    expect(taskStatuses(sh('npx nx run etl:summarize').output)).toEqual({ 'etl:load_data': 'local', 'etl:summarize': 'local' });
  });
});
