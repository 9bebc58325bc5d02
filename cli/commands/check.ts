/**
 * `nx-steps check`: reads every pipeline file and prints every diagnostic,
 * warnings included (graph construction only prints errors). Exit code 1
 * when there is an error: usable as a CI gate.
 */
import { formatWorkspaceDiagnostics, isError } from '../../plugin/core/diagnostics';
import { parseArgs } from '../args';
import type { Command } from '../command';
import { loadWorkspace } from '../workspace';

export const checkCommand: Command = {
  name: 'check',
  summary: 'Check every pipeline declaration; print errors and warnings',
  usage:
    'nx-steps check [--json]\n\nReads every pipeline file statically (no code runs) and prints each problem with file:line:col.\nExits 1 when there is an error.',
  async run(argv, io) {
    const args = parseArgs(argv, 'check', { json: 'boolean' });
    const ws = await loadWorkspace(io.cwd);
    const diagnostics = ws.model.projects.flatMap((p) => p.diagnostics);
    const errors = diagnostics.filter(isError).length;
    if (args.flags['json']) {
      io.out(
        `${JSON.stringify({ projects: ws.model.projects.map((p) => ({ name: p.displayName, root: p.root, steps: p.steps.map((s) => s.name) })), diagnostics }, null, 2)}\n`,
      );
    } else {
      if (diagnostics.length) io.out(`${formatWorkspaceDiagnostics(ws.root, diagnostics)}\n\n`);
      const steps = ws.model.projects.reduce((n, p) => n + p.steps.length, 0);
      io.out(`${ws.model.projects.length} pipeline project(s), ${steps} step(s): ${errors} error(s), ${diagnostics.length - errors} warning(s).\n`);
    }
    return errors > 0 ? 1 : 0;
  },
};
