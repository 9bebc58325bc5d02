/** What e2e cases import: a workspace copied from the template this run installed. */
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { RemoteCacheServer } from './remote-cache-server';
import type { Workspace } from './workspace';
import { createWorkspaceFrom } from './workspace';

export { createBareWorkspace } from './bare-workspace';
export { stripAnsi, taskStatuses, Workspace } from './workspace';
export type { NxResult, TaskStatus } from './workspace';

export function createWorkspace(name: string, files: Readonly<Record<string, string>> = {}): Workspace {
  return createWorkspaceFrom(inject('templateDir'), name, files);
}

/** The workspaces one test file opens; each is removed after the test that opened it. */
export interface OpenWorkspaces {
  /** A fresh workspace, removed after this test. */
  create(name: string, files?: Readonly<Record<string, string>>): Workspace;
  /** Removes these after this test too (a workspace made another way). */
  push(...workspaces: Workspace[]): number;
}

/** Call once at the top of a test file: `const open = workspacesPerTest();`, then `open.create(name, files)`. */
export function workspacesPerTest(): OpenWorkspaces {
  const open: Workspace[] = [];
  afterEach(() => {
    for (const ws of open.splice(0)) ws.remove();
  });
  return {
    create(name, files = {}) {
      const ws = createWorkspace(name, files);
      open.push(ws);
      return ws;
    },
    push: (...workspaces) => open.push(...workspaces),
  };
}

/** Call once at the top of a test file: one real remote cache server for its tests, removed after them. */
export function remoteCachePerFile(): { readonly server: RemoteCacheServer } {
  let server: RemoteCacheServer | undefined;
  beforeAll(async () => {
    server = await RemoteCacheServer.start();
  });
  afterAll(async () => {
    await server?.remove();
  });
  return {
    get server(): RemoteCacheServer {
      if (!server) throw new Error('the remote cache server starts in beforeAll: use it inside a test');
      return server;
    },
  };
}
