/**
 * `nx-steps clear [<project> | <project>:<step>]...`: the next run recomputes
 * exactly these steps (every step when none is named).
 *
 * Nx's cache has no per-entry delete, and remote entries must never be
 * overwritten. So clearing salts each step's key on this machine (see
 * plugin/core/state/salts.ts) and removes its outputs from the workspace: the
 * old entries, local and remote, become unreachable, and the recomputed
 * result is cached under the new key. Nx evicts the unreachable local
 * entries on its own schedule (`nx reset` frees them at once).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTime } from '../../plugin/core/fingerprint/ttl';
import { saltStep } from '../../plugin/core/fingerprint/workspace-pass';
import type { StepModel } from '../../plugin/core/model/project-model';
import { outputDir } from '../../plugin/core/outputs/layout';
import { parseArgs } from '../args';
import type { Command } from '../command';
import { loadWorkspace, resolveTarget } from '../workspace';

export const clearCommand: Command = {
  name: 'clear',
  summary: 'Make the next run recompute steps (all, a project, or one step)',
  usage: [
    'nx-steps clear [<project> | <project>:<step>]...',
    '',
    'The next run recomputes exactly the named steps (every step when none is named), even when',
    'a remote cache holds their results. Clearing is local to this machine.',
  ].join('\n'),
  async run(argv, io) {
    const args = parseArgs(argv, 'clear');
    const ws = await loadWorkspace(io.cwd);
    try {
      const selected: Array<{ project: string; step: StepModel }> = [];
      const specs = args.positionals.length > 0 ? args.positionals : ws.model.projects.map((p) => p.displayName);
      for (const spec of specs) {
        const { project, step } = resolveTarget(ws.model, spec);
        for (const s of step ? [step] : project.steps) selected.push({ project: project.displayName, step: s });
      }
      const cached = selected.filter(({ step }) => step.cache.enabled); // never cached: nothing to clear
      const cleared: string[] = [];
      const skipped: Array<{ step: string; why: string }> = [];
      const now = runTime(io.env);
      for (const { project, step } of cached) {
        // Salted before the outputs go: downstream fingerprints read them.
        const model = ws.model.projects.find((p) => p.root === step.projectRoot);
        const salted = model ? saltStep(ws.services, model, step, 'clear', now) : { ok: false as const, error: 'its project is not in the workspace' };
        fs.rmSync(path.join(ws.root, outputDir(step.projectRoot, step.name)), { recursive: true, force: true });
        if (salted.ok) cleared.push(`${project}:${step.name}`);
        else skipped.push({ step: `${project}:${step.name}`, why: salted.error });
      }
      io.out(
        cleared.length
          ? `Cleared ${cleared.length} step(s): ${cleared.join(', ')}.\nTheir next run recomputes them (on this machine; entries in a shared cache are untouched).\n`
          : 'Nothing to clear.\n',
      );
      if (skipped.length) {
        // Loud: a step whose key is not salted can still be restored from a cache entry.
        const lines = skipped.map(({ step, why }) => `  ${step}: ${why}`);
        io.err(
          `Outputs removed, but these steps were NOT cleared (their cache entries can still be restored); fix that first, then clear again:\n${lines.join('\n')}\n`,
        );
      }
      return skipped.length ? 1 : 0;
    } finally {
      ws.services.flush();
    }
  },
};
