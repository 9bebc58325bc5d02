import { describe, expect, it } from 'vitest';
import { staleLockWarning } from './create-nodes';

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
      'nx-steps: nx-steps.lock.json as committed does not describe 6 step(s) (p:a, p:b, p:c, p:d, p:e, ...), nor does the file on disk: ' +
        'run `nx sync` (or any of these steps) to update it, then commit it. Until then `nx affected` selects these steps by the files their code is made of.',
    );
  });
});
