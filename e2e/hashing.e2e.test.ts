/**
 * Issue 4: file and dir arguments hashed by content, through real `nx run`.
 * What Nx cannot see (gitignored data, files outside the workspace) still
 * decides whether a step re-runs; timestamps and empty folders do not; and a
 * bad argument fails with a message that names the project, step, argument
 * and path. Re-runs are proved by counting step calls.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Workspace } from './rig';
import { workspacesPerTest } from './rig';

const open = workspacesPerTest();
const outside: string[] = [];
afterEach(() => {
  for (const dir of outside.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const workspace = (name: string, files: Record<string, string>): Workspace => open.create(name, files);

function train(labels: string): string {
  return `import { readdir, readFile } from 'node:fs/promises';
import { dir, file, pipeline, step } from 'nx-steps';
import { count } from '../tools/count';

export default pipeline({ name: 'ml' });

export const train = step(
  { args: { images: dir('data/images', { exclude: ['**/*.tmp'] }), labels: file(${JSON.stringify(labels)}) } },
  async ({ images, labels }) => {
    count('train');
    return { images: (await readdir(images)).length, labels: (await readFile(labels, 'utf8')).trim() };
  },
);
`;
}

describe('file and dir arguments through nx run', () => {
  it('re-runs a step when gitignored, dot- or out-of-workspace data changes; not for timestamps, empty folders or excluded files', () => {
    const ext = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-e2e-external-'));
    outside.push(ext);
    const labels = path.join(ext, 'labels.txt');
    fs.writeFileSync(labels, 'cat,dog\n');
    const ws = workspace('hash-data', {
      'ml/ml.pipeline.ts': train(labels),
      'ml/data/images/cat.png': 'cat',
      'ml/data/images/dog.png': 'dog',
    });
    // The data is gitignored, as data usually is: Nx's own file inputs do not see it.
    fs.appendFileSync(ws.path('.gitignore'), 'ml/data/\n');
    expect(ws.runSteps('ml:train').calls).toEqual({ train: 1 });

    ws.touch('ml/data/images/cat.png');
    fs.mkdirSync(ws.path('ml/data/images/empty'));
    ws.write('ml/data/images/scratch.tmp', 'excluded');
    expect(ws.runSteps('ml:train').calls).toEqual({});

    ws.write('ml/data/images/cat.png', 'a different cat');
    expect(ws.runSteps('ml:train').calls).toEqual({ train: 1 });

    ws.write('ml/data/images/.meta', 'dotfiles count');
    expect(ws.runSteps('ml:train').calls).toEqual({ train: 1 });

    fs.writeFileSync(labels, 'cat,dog,bird\n');
    expect(ws.runSteps('ml:train').calls).toEqual({ train: 1 });
    expect(ws.runSteps('ml:train').calls).toEqual({});
  });

  it('fails with a message naming the project, step, argument and path: missing, then a folder declared as a file', () => {
    const ws = workspace('hash-errors', {
      'etl/etl.pipeline.ts': `import { file, pipeline, step } from 'nx-steps';

export default pipeline({ name: 'etl' });

export const load_data = step({ args: { file_path: file('data/raw.csv') } }, ({ file_path }) => file_path.length);
`,
    });
    const missing = ws.nx(['run', 'etl:load_data']);
    expect(missing.code).not.toBe(0);
    expect(missing.output).toContain(
      'etl/etl.pipeline.ts:5:52 - error NXS201: The file argument `file_path` of etl:load_data does not exist: etl/data/raw.csv.',
    );
    expect(missing.output).toContain("Create it, or change the path in etl/etl.pipeline.ts (relative paths start at the pipeline file's folder).");

    ws.write('etl/data/raw.csv/part-1.csv', 'id\n1\n');
    const folder = ws.nx(['run', 'etl:load_data']);
    expect(folder.code).not.toBe(0);
    expect(folder.output).toContain('error NXS201: The file argument `file_path` of etl:load_data is a folder: etl/data/raw.csv.');
    expect(folder.output).toContain("Declare it with dir('data/raw.csv') instead of file(...).");
  });
});
