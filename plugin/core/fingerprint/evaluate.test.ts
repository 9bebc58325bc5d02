/**
 * `evaluateArgs`: what a user reads when a file or dir argument cannot be
 * hashed. Each message names the project, the step, the argument and the
 * path, and points at the declaration; the exact text is asserted, as users
 * see it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../diagnostics';
import { formatDiagnostic } from '../diagnostics';
import { nodeIo } from '../hash/content';
import { FileHasher } from '../hash/file-hasher';
import type { Tree } from '../hash/test-utils/tree';
import { tempDir, writeTree } from '../hash/test-utils/tree';
import type { StepModel } from '../model/project-model';
import type { Services } from '../workspace';
import { createServices, loadWorkspaceModel } from '../workspace';
import { evaluateArgs } from './evaluate';

const PIPELINE = 'etl/etl.pipeline.ts';

function pipeline(args: string): string {
  return `import { dir, file, pipeline, step } from 'nx-steps';

export default pipeline({ name: 'etl' });

export const load_data = step({ args: { ${args} } }, async (input) => input);
`;
}

function setup(args: string, tree: Tree, hasher?: FileHasher): { services: Services; step: StepModel; root: string } {
  const root = tempDir('nxs-eval-');
  writeTree(root, { [PIPELINE]: pipeline(args), ...tree });
  const base = createServices(root);
  const services: Services = hasher ? { ...base, hasher } : base;
  const step = loadWorkspaceModel(services, [PIPELINE]).projects[0]?.steps[0];
  if (!step) throw new Error('no step');
  expect(step.errors).toEqual([]);
  return { services, step, root };
}

function problem(args: string, tree: Tree, hasher?: FileHasher): { d: Diagnostic; text: string; root: string } {
  const { services, step, root } = setup(args, tree, hasher);
  const r = evaluateArgs(services, step, 'etl');
  if (r.ok) throw new Error('expected a problem');
  const text = formatDiagnostic(r.error, fs.readFileSync(path.join(root, PIPELINE), 'utf8'))
    .split(root)
    .join('<ws>');
  return { d: r.error, text, root };
}

describe('evaluateArgs', () => {
  it('digests file and dir arguments by content', () => {
    const { services, step } = setup("raw: file('data/raw.csv'), images: dir('data/images'), limit: 3", {
      'etl/data/raw.csv': 'id\n1\n',
      'etl/data/images/a.png': 'png',
    });
    const r = evaluateArgs(services, step, 'etl');
    expect(r.ok && r.value).toMatchObject({
      raw: { kind: 'file', path: 'etl/data/raw.csv' },
      images: { kind: 'dir', path: 'etl/data/images', files: 1 },
      limit: { kind: 'value' },
    });
  });

  it('a missing file', () => {
    const { d, text } = problem("raw: file('data/raw.csv')", {});
    expect(d).toMatchObject({ code: 'NXS201', project: 'etl', step: 'load_data', argument: 'raw' });
    expect(text).toBe(
      [
        'etl/etl.pipeline.ts:5:46 - error NXS201: The file argument `raw` of etl:load_data does not exist: etl/data/raw.csv.',
        '',
        "  5 | export const load_data = step({ args: { raw: file('data/raw.csv') } }, async (input) => input);",
        '    |                                              ^^^^^^^^^^^^^^^^^^^^',
        '',
        "  Create it, or change the path in etl/etl.pipeline.ts (relative paths start at the pipeline file's folder).",
      ].join('\n'),
    );
  });

  it('a folder declared as a file, and a file declared as a folder', () => {
    expect(problem("raw: file('data')", { 'etl/data/x.csv': 'x' }).d).toMatchObject({
      code: 'NXS201',
      message: 'The file argument `raw` of etl:load_data is a folder: etl/data.',
      hint: "Declare it with dir('data') instead of file(...).",
    });
    expect(problem("images: dir('data/x.csv')", { 'etl/data/x.csv': 'x' }).d).toMatchObject({
      code: 'NXS201',
      message: 'The dir argument `images` of etl:load_data is a file, not a folder: etl/data/x.csv.',
      hint: "Declare it with file('data/x.csv') instead of dir(...).",
    });
  });

  it('no permission to read it', () => {
    const denied = new FileHasher(undefined, {
      io: {
        ...nodeIo,
        open: () => {
          throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        },
      },
    });
    expect(problem("raw: file('data/raw.csv')", { 'etl/data/raw.csv': 'x' }, denied).d).toMatchObject({
      code: 'NXS201',
      message: 'The file argument `raw` of etl:load_data cannot be read: permission denied on etl/data/raw.csv.',
      hint: 'Give the user running Nx read access to it.',
    });
  });

  it('a file that changes while it is hashed', () => {
    let grown = false;
    const growing = new FileHasher(undefined, {
      io: {
        ...nodeIo,
        read: (fd, buf, length, position) => {
          const n = nodeIo.read(fd, buf, length, position);
          if (!grown) fs.appendFileSync(fs.readlinkSync(`/proc/self/fd/${fd}`), 'more rows\n');
          grown = true;
          return n;
        },
      },
    });
    expect(problem("images: dir('data/images')", { 'etl/data/images/part-1.csv': 'a\n' }, growing).d).toMatchObject({
      code: 'NXS208',
      message: 'The dir argument `images` of etl:load_data changed while it was being hashed: etl/data/images/part-1.csv.',
      hint: 'Let whatever writes it finish, then run again.',
    });
  });

  it('a broken link and a named pipe inside a folder say how to exclude them', () => {
    expect(problem("images: dir('data/images')", { 'etl/data/images/a.png': 'a', 'etl/data/images/latest': { link: 'run-7' } }).d).toMatchObject({
      code: 'NXS201',
      message: 'The dir argument `images` of etl:load_data contains a broken symbolic link: etl/data/images/latest -> run-7.',
      hint: "Create its target, or fix the link, or exclude it: dir('data/images', { exclude: ['latest'] }).",
    });
    expect(problem("images: dir('data/images')", { 'etl/data/images/a.png': 'a', 'etl/data/images/sub/feed': { fifo: true } }).d).toMatchObject({
      message: 'The dir argument `images` of etl:load_data contains a named pipe, not a regular file: etl/data/images/sub/feed.',
      hint: "Arguments are identified by their content, and reading a named pipe would consume or block it; point the argument at regular files, or exclude it: dir('data/images', { exclude: ['sub/feed'] }).",
    });
  });

  it('shows paths outside the workspace as absolute paths', () => {
    const outside = tempDir('nxs-outside-');
    const { d } = problem(`raw: file(${JSON.stringify(path.join(outside, 'raw.csv'))})`, {});
    expect(d.message).toBe(`The file argument \`raw\` of etl:load_data does not exist: ${path.join(outside, 'raw.csv')}.`);
  });
});
