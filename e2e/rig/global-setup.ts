/** Vitest global setup for the e2e project: pack the plugin and install the template once. */
import * as path from 'node:path';
import type { TestProject } from 'vitest/node' with { 'resolution-mode': 'import' };
import { packPlugin, prepareTemplate, REPO_ROOT } from './template';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDir: string;
    tarball: string;
  }
}

export default function setup(project: TestProject): void {
  const started = Date.now();
  const tarball = packPlugin(path.join(REPO_ROOT, 'e2e/.artifacts'));
  const templateDir = prepareTemplate(tarball);
  project.provide('templateDir', templateDir);
  project.provide('tarball', tarball);
  console.log(`e2e: template ready in ${((Date.now() - started) / 1000).toFixed(1)}s at ${templateDir}`);
}
