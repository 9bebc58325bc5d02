/** Vitest global setup for the e2e project: pack the plugin and install the templates once. */
import * as path from 'node:path';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { OTHER_NX_VERSIONS, packPlugin, prepareNxTemplate, prepareTemplate, REPO_ROOT } from './template';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDir: string;
    tarball: string;
    /** Templates of the other supported Nx versions, without nx-steps: nx version → folder. */
    nxTemplates: Record<string, string>;
  }
}

export default function setup(project: TestProject): void {
  const started = Date.now();
  const tarball = packPlugin(path.join(REPO_ROOT, 'e2e/.artifacts'));
  const templateDir = prepareTemplate(tarball);
  const nxTemplates = Object.fromEntries(OTHER_NX_VERSIONS.map((v) => [v.nx, prepareNxTemplate(v)]));
  project.provide('templateDir', templateDir);
  project.provide('tarball', tarball);
  project.provide('nxTemplates', nxTemplates);
  console.log(`e2e: templates ready in ${((Date.now() - started) / 1000).toFixed(1)}s at ${templateDir} (and Nx ${Object.keys(nxTemplates).join(', ')})`);
}
