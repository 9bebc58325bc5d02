/**
 * Category 7: what an upstream step leaves in ctx.outDir beyond file
 * contents (empty folders, exec bits, a file renamed) reaches a downstream
 * step that looks at it. Category 10: a clear that lasts: after
 * `nx-steps clear`, changing an input and changing it back must not bring
 * back the cleared result. (NX_STEPS_FRESH replaces the cached result, so a
 * served result is right there and this table's verdict, which compares with
 * a recompute, cannot judge it: e2e/controls.e2e.test.ts does.)
 *
 * The control cases use a step that is impure on purpose (it returns a fresh
 * token each time it runs): a served token that the forced recompute does
 * not give, from a step that did not run, is the cleared result coming back.
 *
 * Categories 8 (changes during a run), 9 (overlapping commands) and 11
 * (`nx affected`) need concurrent processes or git history, so they are not
 * table cases: e2e/overlap.e2e.test.ts, e2e/step-keyed-entries.e2e.test.ts
 * and e2e/affected.e2e.test.ts judge them, each against a forced recompute.
 */
import type { AdversarialCase, EditContext } from '../harness';

const U = '7 upstream results';
const C = '10 controls that last';

/** An upstream that shapes its outDir with `shape` and returns it; a downstream that reports what it sees there. */
function outDirCase(id: string, shape: string, look: string): string {
  return `import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline, step } from 'nx-steps';
import { count } from '../../tools/count';

export default pipeline({ name: '${id}' });

export const up = step(async (_input: {}, ctx) => {
  count('${id}:up');
  const dir = ctx.outDir;
  ${shape}
  return dir;
});

export const down = step({ needs: { u: up } }, async ({ u }) => {
  count('${id}:down');
  return ${look};
});
`;
}

/** A step whose result is a token fresh at each run, reading one data file (its input). */
function tokenCase(id: string): string {
  return `import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { file, pipeline, step } from 'nx-steps';
import { count } from '../../tools/count';

export default pipeline({ name: '${id}' });

export const sample = step({ args: { data: file('data.txt') } }, async ({ data }) => {
  count('${id}:sample');
  return { data: fs.readFileSync(data, 'utf8').trim(), token: randomUUID() };
});
`;
}

/** Changes the data file, runs the step with it, and changes it back: the key is the one of the first run again. */
async function changeAndChangeBack(c: EditContext, id: string): Promise<void> {
  c.apply({ 'data.txt': ['one', 'two'] });
  await c.run([`${id}:sample`]);
  c.apply({ 'data.txt': ['two', 'one'] });
}

export const UPSTREAM_CASES: readonly AdversarialCase[] = [
  {
    id: 'c7-empty-dir',
    category: U,
    title: 'an empty folder in the upstream outDir renamed; the downstream lists the folder',
    files: { 'main.pipeline.ts': outDirCase('c7-empty-dir', "fs.mkdirSync(path.join(dir, 'a'));", 'fs.readdirSync(u).sort()') },
    edit: { 'main.pipeline.ts': ["path.join(dir, 'a')", "path.join(dir, 'b')"] },
    changes: true,
  },
  {
    id: 'c7-exec-bit',
    category: U,
    title: 'the exec bit of a file in the upstream outDir; the downstream checks it',
    files: {
      'main.pipeline.ts': outDirCase(
        'c7-exec-bit',
        "fs.writeFileSync(path.join(dir, 'run.sh'), 'echo hi\\n', { mode: 0o644 });",
        "(fs.statSync(path.join(u, 'run.sh')).mode & 0o111) !== 0",
      ),
    },
    edit: { 'main.pipeline.ts': ['mode: 0o644', 'mode: 0o755'] },
    changes: true,
  },
  {
    id: 'c7-renamed-file',
    category: U,
    title: 'a file in the upstream outDir renamed, its content the same; the downstream lists names',
    files: { 'main.pipeline.ts': outDirCase('c7-renamed-file', "fs.writeFileSync(path.join(dir, 'x.csv'), '1,2\\n');", 'fs.readdirSync(u).sort()') },
    edit: { 'main.pipeline.ts': ["'x.csv'", "'y.csv'"] },
    changes: true,
  },
  {
    id: 'c7-same-files',
    category: U,
    title: 'the upstream re-runs and writes the same files: the downstream is kept (early cutoff)',
    files: { 'main.pipeline.ts': outDirCase('c7-same-files', "fs.writeFileSync(path.join(dir, 'x.csv'), '1,2\\n');", 'fs.readdirSync(u).sort()') },
    edit: { 'main.pipeline.ts': ["'1,2\\n'", "'1,' + '2\\n'"] },
    changes: false,
  },
  {
    id: 'c10-clear-then-revert',
    category: C,
    title: 'nx-steps clear, then an input changed and changed back: the cleared result does not come back',
    files: { 'main.pipeline.ts': tokenCase('c10-clear-then-revert'), 'data.txt': 'one\n' },
    edit: async (c) => {
      await c.clear('c10-clear-then-revert:sample');
      await changeAndChangeBack(c, 'c10-clear-then-revert');
    },
    changes: true,
    impure: true,
    group: 'controls',
  },
];
