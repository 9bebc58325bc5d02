/**
 * Graph construction: one project per pipeline folder, one target per step.
 * Reads pipeline files statically (no user code runs) through a disk cache,
 * so a warm graph build only hashes the files.
 *
 * It never throws for a problem in a pipeline file: Nx would then drop the
 * whole graph (an AggregateCreateNodesError fails `nx show projects` even
 * with partial results, verified on 24.0.6). A broken step becomes a target
 * that fails with its diagnostic, and errors are printed here too.
 */
import type { CreateNodes, CreateNodesResult } from '@nx/devkit';
import { formatWorkspaceDiagnostics, isError } from '../core/diagnostics';
import { createServices, loadWorkspaceModel } from '../core/workspace';
import { discoverPipelineFiles } from './discover';
import type { NxStepsPluginOptions } from './options';
import { normalizeOptions } from './options';
import { projectConfiguration } from './targets';

/** See discover.ts for why the anchor is nx.json rather than the pipeline files. */
export const CREATE_NODES_ANCHOR = 'nx.json';

const printed = new Set<string>();

export const createNodes: CreateNodes<NxStepsPluginOptions> = [
  CREATE_NODES_ANCHOR,
  async (configFiles, rawOptions, context) => {
    const options = normalizeOptions(rawOptions);
    const files = await discoverPipelineFiles(context.workspaceRoot, options.pipelines);
    if (files.length === 0) return [];
    const services = createServices(context.workspaceRoot);
    const model = loadWorkspaceModel(services, files);
    const projects: NonNullable<CreateNodesResult['projects']> = {};
    for (const project of model.projects) projects[project.root] = projectConfiguration(project);

    const errors = model.projects.flatMap((p) => p.diagnostics.filter(isError));
    const text = errors.length ? formatWorkspaceDiagnostics(context.workspaceRoot, errors) : '';
    if (text && !printed.has(text)) {
      printed.add(text);
      console.error(`\nnx-steps: ${errors.length} problem(s) in pipeline files; these steps fail when run until fixed:\n\n${text}\n`);
    }
    return [[configFiles[0] ?? CREATE_NODES_ANCHOR, { projects }]];
  },
];
