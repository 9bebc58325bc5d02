/**
 * The Nx plugin: `"plugins": ["nx-steps/plugin"]` in nx.json.
 *   createNodes        one target per step (static reading, no user code runs)
 *   preTasksExecution  live step fingerprints as env inputs; lock upkeep
 */
export const name = 'nx-steps';
export { createNodes, createNodes as createNodesV2 } from './create-nodes';
export { preTasksExecution } from './pre-tasks';
export { postTasksExecution } from './post-tasks';
export type { NxStepsPluginOptions } from '../core/plugin-options';
