/**
 * First step of `npm test` (and `npm run test:e2e`): makes sure this machine
 * has what the e2e tests need besides npm packages (machine.ts), installing
 * it with apt when it may, or stopping at once with the command to run.
 * `.ci/run` relies on it too. No input is ever asked for: apt runs
 * non-interactively, and sudo only when it needs no password.
 */
import { spawnSync } from 'node:child_process';
import type { Nginx } from './machine';
import { findChromium, findNginx, missingRequirements, planSetup, shellLine, thisMachine } from './machine';

function versionOf(binary: string, args: string[]): string {
  const r = spawnSync(binary, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] ?? '';
}

function describeReady(): string {
  const nginx = findNginx() as Nginx;
  const chromium = findChromium() as string;
  return `e2e machine: ${versionOf(nginx.binary, ['-v']).replace(/^nginx version: /, '')} with njs, ${versionOf(chromium, ['--version']) || 'Chromium'} (${chromium})`;
}

function main(): number {
  const plan = planSetup(missingRequirements(), thisMachine());
  if (plan.kind === 'stop') {
    process.stderr.write(`\n${plan.message}\n\n`);
    return 1;
  }
  if (plan.kind === 'install') {
    for (const argv of plan.commands) {
      console.log(`e2e machine: ${shellLine(argv)}`);
      const [cmd, ...args] = argv as [string, ...string[]];
      const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
      if (r.status !== 0) {
        process.stderr.write(`\ne2e machine: \`${shellLine(argv)}\` failed (exit ${r.status ?? r.signal}). Fix that, then run npm test again.\n\n`);
        return 1;
      }
    }
    const still = missingRequirements();
    if (still.length) {
      process.stderr.write(`\ne2e machine: still missing after installing:\n${still.map((m) => `  - ${m.detail}`).join('\n')}\n\n`);
      return 1;
    }
  }
  console.log(describeReady());
  return 0;
}

process.exitCode = main();
