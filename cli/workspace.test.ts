import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../plugin/core/plugin-options';
import { pluginOptions } from './workspace';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function workspaceWith(nxJson: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-cli-ws-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'nx.json'), nxJson);
  return dir;
}

describe('pluginOptions', () => {
  it('reads an nx.json with comments and trailing commas, as Nx does', () => {
    const root = workspaceWith(
      '{\n  // pipelines live under pipelines/\n  "plugins": [{ "plugin": "nx-steps/plugin", "options": { "pipelines": "pipelines/**/*.pipeline.ts" } },],\n}\n',
    );
    expect(pluginOptions(root)).toEqual({ ...DEFAULT_OPTIONS, pipelines: 'pipelines/**/*.pipeline.ts' });
  });

  it('gives the defaults for a plugin registered by name', () => {
    expect(pluginOptions(workspaceWith('{ "plugins": ["nx-steps/plugin"] }'))).toEqual(DEFAULT_OPTIONS);
  });
});
