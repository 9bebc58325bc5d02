/** What e2e cases import: a workspace copied from the template this run installed. */
import { inject } from 'vitest';
import type { Workspace } from './workspace';
import { createWorkspaceFrom } from './workspace';

export { createBareWorkspace } from './bare-workspace';
export { stripAnsi, taskStatuses, Workspace } from './workspace';
export type { NxResult, TaskStatus } from './workspace';

export function createWorkspace(name: string, files: Readonly<Record<string, string>> = {}): Workspace {
  return createWorkspaceFrom(inject('templateDir'), name, files);
}
