import { describe, expect, it } from 'vitest';
import { problemsHeadline, staleLockWarning } from './create-nodes';

describe('the warning for steps the committed lock does not describe', () => {
  it('says to commit the lock when the file on disk is already current (the pre-task hook wrote it; nx sync says up to date)', () => {
    expect(staleLockWarning(['etl:load_data', 'etl:summarize'], true)).toBe(
      'nx-steps: nx-steps.lock.json as committed does not describe 2 step(s) (etl:load_data, etl:summarize), and the file on disk does: ' +
        'commit it (git add nx-steps.lock.json). Until then `nx affected` selects these steps by the files their code is made of.',
    );
  });

  it('says to update it first when the file on disk is stale too, and names five steps at most', () => {
    const steps = ['a', 'b', 'c', 'd', 'e', 'f'].map((s) => `p:${s}`);
    expect(staleLockWarning(steps, false)).toBe(
      'nx-steps: nx-steps.lock.json as committed does not describe 6 step(s) (p:a, p:b, p:c, p:d, p:e, ...), nor does the file on disk yet: ' +
        'a local run of these steps updates it (so does `nx sync`), then commit it. Until then `nx affected` selects these steps by the files their code is made of.',
    );
  });
});

describe('problems in pipeline files at graph time', () => {
  it('are one line each (the step prints the diagnostic in full when it runs, so a run shows it once)', () => {
    const text = problemsHeadline([
      {
        code: 'NXS100',
        severity: 'error',
        message: 'Syntax error: Expression expected.',
        hint: 'Fix the syntax.',
        location: { file: 'bad/bad.pipeline.ts', line: 4, column: 13 },
      },
      { code: 'NXS104', severity: 'error', message: 'Step name `load` is declared 2 times in project dup.', project: 'dup' },
    ]);
    expect(text).toBe(
      [
        'nx-steps: 2 problem(s) in pipeline files; the steps they concern fail with them when run (npx nx-steps check shows each in full):',
        '  bad/bad.pipeline.ts:4:13 - error NXS100: Syntax error: Expression expected.',
        '  error NXS104: Step name `load` is declared 2 times in project dup. (project dup)',
      ].join('\n'),
    );
  });
});
