/**
 * `nx-steps shard <project>[:<step>] <i>/<N>`: the targets of one machine's
 * share of a fan-out's items, for `nx run-many` (plugin/core/model/shards.ts).
 */
import { fanOutTargets, parseShard, shareOf } from '../../plugin/core/model/shards';
import { parseArgs, UsageError } from '../args';
import type { Command } from '../command';
import { loadWorkspace } from '../workspace';

const USAGE = `nx-steps shard <project>[:<step>] <i>/<N> [--json]

Prints the targets of share i of N of a fan-out step's items (or of every
fan-out step of the project), comma-separated for nx run-many. The N shares
are disjoint, together every item, and of near-equal size. On machine i:

  npx nx run-many -p sims -t "$(npx nx-steps shard sims:simulate 2/4)" --parallel=2

With a shared remote cache, a machine that then runs a step needing the whole
fan-out (nx run sims:summary) restores every item instead of running it.

  --json   the share as JSON: { project, shard, targets }`;

export const shardCommand: Command = {
  name: 'shard',
  summary: "One machine's share of a fan-out's items, as targets for nx run-many",
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, 'shard', { json: 'boolean' });
    const [spec, share, extra] = args.positionals;
    if (!spec || !share || extra !== undefined)
      throw new UsageError('nx-steps shard: expected <project>[:<step>] <i>/<N>, e.g. nx-steps shard sims:simulate 2/4.');
    const shard = parseShard(share);
    if (!shard.ok) throw new UsageError(`nx-steps shard: ${shard.error}.`);
    const [projectName, step] = spec.split(':');
    const ws = await loadWorkspace(io.cwd);
    try {
      const project = ws.model.projects.find((p) => p.displayName === projectName);
      if (!project)
        throw new UsageError(
          `nx-steps shard: no pipeline project named "${projectName}". Pipeline projects: ${ws.model.projects.map((p) => p.displayName).join(', ') || '(none)'}.`,
        );
      const all = fanOutTargets(project, step);
      if (!all.ok) throw new UsageError(`nx-steps shard: ${all.error}.`);
      const targets = shareOf(all.value, shard.value);
      if (args.flags['json']) {
        io.out(`${JSON.stringify({ project: project.displayName, shard: `${shard.value.index}/${shard.value.count}`, targets }, null, 2)}\n`);
        return 0;
      }
      if (targets.length === 0) io.err(`nx-steps shard: share ${share} of ${all.value.length} item(s) is empty.\n`);
      io.out(`${targets.join(',')}\n`);
      return 0;
    } finally {
      ws.services.flush();
    }
  },
};
