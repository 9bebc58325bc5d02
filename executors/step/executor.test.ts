import { describe, expect, it } from 'vitest';
import type { ExecutorContext } from '@nx/devkit';
import type { RunStepRequest } from '../../plugin/core/run/run-step';
import { runGuarded } from './executor';
import { stepRequest } from './request';

const req = { project: 'etl', step: 'clean' } as RunStepRequest;

describe("the executors' failure boundary", () => {
  it("passes the engine's outcome through", async () => {
    const done = { ok: true, status: 'executed', durationMs: 1, meta: undefined } as const;
    expect(await runGuarded(() => Promise.resolve(done), req, {})).toBe(done);
  });

  it('turns a stray exception into one NXS900 diagnostic on the step', async () => {
    const outcome = await runGuarded(() => Promise.reject(new Error('invariant broken')), req, {});
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.diagnostics).toHaveLength(1);
    expect(outcome.diagnostics[0]).toMatchObject({ code: 'NXS900', project: 'etl', step: 'clean' });
    expect(outcome.diagnostics[0]?.message).toContain('invariant broken');
  });
});

describe('stepRequest', () => {
  it('is an NXS301 failure for a target the plugin did not infer', () => {
    const context = {
      root: '/ws',
      projectsConfigurations: { version: 2, projects: { etl: { root: 'etl', targets: { clean: {} } } } },
    } as unknown as ExecutorContext;
    const r = stepRequest(context, 'etl', 'clean', {}, {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'NXS301', message: 'etl:clean is not a step inferred by nx-steps/plugin.' });
  });
});
