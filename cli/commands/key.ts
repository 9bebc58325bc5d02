/**
 * `nx-steps key <projectRoot> <step>`: prints the digest of a step's custom
 * cache key. Nx runs it as the step's `runtime` input, before hashing, with
 * the command's environment. Users rarely call it directly.
 *
 * It never fails: Nx hashes a failing runtime command's (empty) output like
 * any other, which would give one shared key to every failure and risk a
 * stale hit. On any error it prints a fresh random value instead, so the step
 * misses, and the executor reports the error with the step's name.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { evaluateKey } from '../../plugin/core/run/key';
import { importModule } from '../../plugin/core/run/load-module';
import { createServices, loadWorkspaceModel } from '../../plugin/core/workspace';
import { discoverPipelineFiles } from '../../plugin/nx/discover';
import type { Command } from '../command';
import { findWorkspaceRoot, pluginOptions } from '../workspace';

export const keyCommand: Command = {
  name: 'key',
  summary: "Print the digest of a step's custom cache key (Nx calls this before hashing)",
  usage:
    "nx-steps key <projectRoot> <step>\n\nEvaluates the step's cache.key function and prints `key:<digest>`; on any error prints a fresh\n`key-error:<random>` (the step then runs, and reports the error).",
  async run(argv, io) {
    const [projectRoot, stepName] = argv;
    try {
      if (!projectRoot || !stepName) throw new Error('expected <projectRoot> <step>');
      const root = findWorkspaceRoot(io.cwd);
      const options = pluginOptions(root);
      const files = (await discoverPipelineFiles(root, options.pipelines)).filter((f) => path.posix.dirname(f) === projectRoot);
      const services = createServices(root, { secretParams: options.secretParams });
      const model = loadWorkspaceModel(services, files);
      const project = model.projects.find((p) => p.root === projectRoot);
      const step = project?.steps.find((s) => s.name === stepName);
      if (!project || !step) throw new Error(`no step ${stepName} in ${projectRoot}`);
      const mod = await importModule(path.join(root, step.file), root);
      const key = await evaluateKey(mod, root, project.displayName, step, io.env);
      services.flush();
      if (!key.ok) throw new Error(key.error.message);
      io.out(`key:${key.value}\n`);
    } catch (e) {
      io.out(`key-error:${randomUUID()}\n`);
      io.err(`nx-steps key: ${(e as Error).message.split('\n')[0] ?? ''}\n`);
    }
    return 0;
  },
};
