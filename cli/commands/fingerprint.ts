/**
 * `nx-steps fingerprint <project>:<step>`: every part of the key the next run
 * of a step will use, each with its own digest, and whether the outputs on
 * disk were made with it. Nothing runs. `--json` gives the full record for
 * tools (`nx-steps why` diffs the same records).
 */
import * as path from 'node:path';
import type { FingerprintRecord } from '../../plugin/core/fingerprint/fingerprint';
import { outputDir } from '../../plugin/core/outputs/layout';
import { readOutputs } from '../../plugin/core/outputs/store';
import { runTime } from '../../plugin/core/fingerprint/ttl';
import { previewKey } from '../../plugin/core/run/key';
import { importModule } from '../../plugin/core/run/load-module';
import { formatWorkspaceDiagnostics } from '../../plugin/core/diagnostics';
import type { NextRunRequest, Verdict } from '../../plugin/core/explain/next-run';
import { explainNextRun } from '../../plugin/core/explain/next-run';
import { readRunRecords } from '../../plugin/core/records/record-store';
import type { ParamValues } from '../../plugin/core/records/param-values';
import { withParamValues } from '../../plugin/core/records/param-values';
import { shownParams } from '../../plugin/core/state/secrets';
import { parseArgs, UsageError } from '../args';
import type { Command } from '../command';
import type { LoadedWorkspace } from '../workspace';
import { loadWorkspace, resolveTarget } from '../workspace';

const short = (d: string) => d.slice(0, 12);

export function describeRecord(r: FingerprintRecord): string[] {
  const lines: string[] = [];
  if (r.code) {
    const files = Object.entries(r.code.files).map(([f, units]) => `${f} (${units.length} unit${units.length === 1 ? '' : 's'})`);
    const pkgs = Object.entries(r.code.packages).map(([p, v]) => `${p}@${v}`);
    lines.push(
      `  code          ${short(r.code.digest)}  ${files.join(', ')}${pkgs.length ? `; packages: ${pkgs.join(', ')}` : ''}${r.code.unresolved.length ? `; unresolved: ${r.code.unresolved.join(', ')}` : ''}`,
    );
    for (const load of r.code.dynamic ?? []) lines.push(`  unnamed load  ${load} (the key covers the loading module's whole folder instead)`);
  } else {
    lines.push('  code          (not part of the key: input_hash)');
  }
  lines.push(`  identity      ${identityLine(r)}`);
  for (const [name, a] of Object.entries(r.args)) {
    lines.push(
      `  arg ${name.padEnd(9)} ${short(a.digest)}  ${a.kind}${a.kind === 'value' ? '' : ` ${a.path}${a.kind === 'dir' && a.files !== undefined ? ` (${a.files} files)` : ''}`}`,
    );
  }
  for (const [name, p] of Object.entries(r.params))
    lines.push(`  param ${name.padEnd(7)} ${short(p.digest)}${p.value === undefined ? '' : `  ${JSON.stringify(p.value)}`}`);
  for (const [name, n] of Object.entries(r.needs)) lines.push(`  need ${name.padEnd(8)} ${short(n.digest)}  result of ${n.step}`);
  lines.push(`  strategy      ${r.strategy}`, `  version       ${r.version ?? '-'}`, `  nx-steps      ${r.nxSteps}`);
  if (r.key !== undefined) lines.push(`  custom key    ${short(r.key)}`);
  if (r.ttl) lines.push(`  ttl           ${r.ttl.text} (window ${r.ttl.window})`);
  if (r.salt !== undefined) lines.push(`  salt          ${r.salt} (set by nx-steps clear or --fresh)`);
  return lines;
}

/** Whether the step's name, project and folder are in its key, and why. */
function identityLine(r: FingerprintRecord): string {
  const reasons = r.code?.identity?.reasons ?? [];
  if (!r.identity) return 'not in the key: the code cannot see its name, project or folder (a renamed step or moved folder restores)';
  const who = `${r.identity.project}:${r.identity.step} in ${r.identity.root}`;
  if (r.strategy === 'input_hash') return `${who} (input_hash: the key has no code, so nothing proves the step cannot see it)`;
  const shown = reasons.slice(0, 3).join('; ');
  return `${who} (the code may see it: ${shown || 'not analysed'}${reasons.length > 3 ? `; and ${reasons.length - 3} more` : ''})`;
}

/**
 * What the outputs on disk mean for the next run. The upstream results in
 * the record are the ones on disk; `why`'s verdict says whether they stay:
 * an upstream step that runs first, or whose next key Nx's cache restores,
 * may change them.
 */
function onDisk(matches: boolean, next: Verdict | undefined): string {
  if (!matches) return '(made with a different fingerprint)';
  if (!next || (next.kind === 'hit' && next.via === 'outputs-on-disk')) return '(outputs match: the next run can reuse them)';
  if (next.kind === 'upstream') {
    const n = next.steps.length;
    return `(made with this fingerprint as it stands, but upstream ${next.steps.join(', ')} will run first: this step re-runs if ${n > 1 ? 'their results change' : 'its result changes'}; see nx-steps why)`;
  }
  return '(made with this fingerprint as it stands, but an upstream result changes before this step runs; see nx-steps why)';
}

/** nx-steps why's verdict for the step's next run. */
async function nextRunVerdict(
  ws: LoadedWorkspace,
  req: Omit<NextRunRequest, 'env' | 'history'> & { readonly step: string },
  env: NodeJS.ProcessEnv,
): Promise<Verdict | undefined> {
  const { step, ...rest } = req;
  const explained = await explainNextRun(ws.services, { ...rest, env, history: readRunRecords(ws.root) }, step);
  return explained[explained.length - 1]?.verdict;
}

export const fingerprintCommand: Command = {
  name: 'fingerprint',
  summary: "Show every part of a step's cache key, each with its digest",
  usage:
    "nx-steps fingerprint <project>:<step> [--json]\n\nComputes the fingerprint the next run of the step will use (nothing runs) and compares it\nwith the one stored next to the step's outputs.",
  async run(argv, io) {
    const args = parseArgs(argv, 'fingerprint', { json: 'boolean' });
    const spec = args.positionals[0];
    if (!spec || args.positionals.length > 1) throw new UsageError('nx-steps fingerprint: expected one <project>:<step>.');
    const ws = await loadWorkspace(io.cwd);
    try {
      const { project, step } = resolveTarget(ws.model, spec);
      if (!step) throw new UsageError('nx-steps fingerprint: expected <project>:<step>, not a whole project.');
      const req = {
        workspaceRoot: ws.root,
        project: project.displayName,
        projectRoot: project.root,
        step: step.name,
        pipelineFiles: project.pipelineFiles,
        overrides: {},
      };
      const prepared = await previewKey(ws.services, req, { now: runTime(io.env), env: io.env, load: (f) => importModule(f, ws.root) });
      if (!prepared.ok) {
        io.err(`${formatWorkspaceDiagnostics(ws.root, prepared.diagnostics)}\n`);
        return 1;
      }
      const record = prepared.value.fingerprint;
      // The values beside the digests, as this machine knows them (secrets masked): the record holds digests only.
      const params = shownParams(prepared.value.key.params, step.secrets) as ParamValues;
      const digest = prepared.value.key.digest;
      const stored = readOutputs(path.join(ws.root, outputDir(project.root, step.name)));
      const storedDigest = stored.ok ? stored.meta.fingerprint.digest : null;
      const next = storedDigest === digest && Object.keys(record.needs).length ? await nextRunVerdict(ws, req, io.env) : undefined;
      if (args.flags['json']) {
        // nextRun only when matching outputs will not be reused as they are: the shape stays as it was otherwise.
        const reused = !next || (next.kind === 'hit' && next.via === 'outputs-on-disk');
        const storedJson = storedDigest ? { digest: storedDigest, matches: storedDigest === digest, ...(reused ? {} : { nextRun: next }) } : null;
        io.out(`${JSON.stringify({ project: project.displayName, step: step.name, digest, record, params, stored: storedJson }, null, 2)}\n`);
        return 0;
      }
      io.out(`${project.displayName}:${step.name}  fingerprint ${short(digest)}\n`);
      io.out(`${describeRecord(withParamValues(record, params)).join('\n')}\n`);
      io.out(`  on disk       ${storedDigest ? `${short(storedDigest)}  ${onDisk(storedDigest === digest, next)}` : '(no outputs)'}\n`);
      return 0;
    } finally {
      ws.services.flush();
    }
  },
};
