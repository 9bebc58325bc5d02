/**
 * Issue 17 (item 8): `nx-steps why` names what changed, as a user reads it:
 * an imported JSON file by name, the files of a `dir(...)` argument that were
 * added, removed or modified (counted when many); and `nx-steps fingerprint`
 * does not call outputs reusable while an upstream step is about to change
 * them. Each verdict is then borne out by the run that follows (counted step
 * calls).
 */
import { describe, expect, it } from 'vitest';
import { createWorkspace, workspacesPerTest } from './rig';

const PIPELINE = `import { readdir } from 'node:fs/promises';
import { dir, pipeline, step } from 'nx-steps';
import { count } from '../tools/count';
import settings from './settings.json';

export default pipeline({ name: 'etl' });

export const load = step({ args: { images: dir('data/images') } }, async ({ images }) => {
  count('load');
  return (await readdir(images)).sort();
});

export const scaled = step({ needs: { names: load } }, ({ names }) => {
  count('scaled');
  return names.length * settings.scale;
});
`;

const open = workspacesPerTest();

/** The text as a user reads it, with the time of the earlier run and its duration replaced. */
function normalized(text: string): string {
  return text.replace(/\(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, took [^)]+\)/g, '(<when>, took <duration>)');
}

describe('nx-steps why names the change', () => {
  it('an imported JSON file, the files of a dir argument, and fingerprint waits on upstream steps', () => {
    const ws = createWorkspace('why-names', {
      'etl/etl.pipeline.ts': PIPELINE,
      'etl/settings.json': '{ "scale": 2 }\n',
      'etl/data/images/a.png': 'a',
      'etl/data/images/b.png': 'b',
    });
    open.push(ws);
    expect(ws.runSteps('etl:scaled').calls).toEqual({ load: 1, scaled: 1 });

    // An imported JSON file is part of the code that reads it, and why names it.
    ws.write('etl/settings.json', '{ "scale": 3 }\n');
    expect(normalized(ws.sh('npx nx-steps why etl:scaled').stdout)).toBe(
      'etl:scaled will run: its key changed since the run that made its result on disk (<when>, took <duration>):\n  - code: etl/settings.json changed\n',
    );
    expect(ws.runSteps('etl:scaled').calls).toEqual({ scaled: 1 });
    expect(ws.stored('etl/.nx-steps/out/scaled')).toBe(6);

    // A dir argument: which files were added, removed and modified.
    ws.deleteFile('etl/data/images/a.png');
    ws.write('etl/data/images/b.png', 'b2');
    ws.write('etl/data/images/c.png', 'c');
    expect(normalized(ws.sh('npx nx-steps why etl:load').stdout)).toBe(
      'etl:load will run: its key changed since the run that made its result on disk (<when>, took <duration>):\n' +
        '  - argument images: content of etl/data/images changed: 1 added (c.png), 1 removed (a.png), 1 modified (b.png)\n',
    );

    // scaled's own key is unchanged, but its need will be recomputed first.
    const fingerprint = ws.sh('npx nx-steps fingerprint etl:scaled').stdout;
    expect(fingerprint).toMatch(
      /\n {2}on disk {7}[0-9a-f]{12} {2}\(made with this fingerprint as it stands, but upstream load will run first: this step re-runs if its result changes; see nx-steps why\)\n$/,
    );
    // load's result (the names) changed, so scaled re-ran after it.
    expect(ws.runSteps('etl:scaled').calls).toEqual({ load: 1, scaled: 1 });

    // Many files: counted, the first few named.
    for (let i = 0; i < 25; i++) ws.write(`etl/data/images/new/${String(i).padStart(2, '0')}.png`, String(i));
    expect(normalized(ws.sh('npx nx-steps why etl:load').stdout)).toBe(
      'etl:load will run: its key changed since the run that made its result on disk (<when>, took <duration>):\n' +
        '  - argument images: content of etl/data/images changed (2 → 27 files): 25 added (new/00.png, new/01.png, new/02.png and 22 more)\n',
    );
    const json = JSON.parse(ws.sh('npx nx-steps why etl:load --json').stdout) as { changes: { files?: { counts: Record<string, number> } }[] };
    expect(json.changes[0]?.files?.counts).toEqual({ added: 25, removed: 0, modified: 0 });
    expect(ws.runSteps('etl:scaled').calls).toEqual({ load: 1, scaled: 1 });
  });
});
