#!/usr/bin/env node
/**
 * The `nx-steps` command: tools around the Nx tasks nx-steps infers
 * (reports, explanations, cache upkeep). Running steps is `nx run`'s job.
 */
import { DiagnosticError, formatDiagnostic, internalError } from '../plugin/core/diagnostics';
import { nxStepsVersion } from '../plugin/core/version';
import { UsageError } from './args';
import type { CliIO } from './command';
import { COMMANDS } from './commands';

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: nx-steps <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  --version  print the version of nx-steps',
    '',
    "Run `nx-steps <command> --help` for a command's options. Steps themselves run with `nx run <project>:<step>`.",
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(`${help()}\n`);
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(`${nxStepsVersion()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`nx-steps: unknown command "${name}".\n\n${help()}\n`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.usage}\n`);
    return 0;
  }
  // The CLI's one failure boundary: a usage or configuration error is the user's (exit 1); anything else is
  // a bug of ours (exit 2).
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof DiagnosticError) {
      io.err(`${e.message}\n`);
      return 1;
    }
    io.err(`${formatDiagnostic(internalError(e))}\n`);
    return 2;
  }
}

/**
 * A reader that stops early (`nx-steps report --json | head`) closes the
 * pipe: the next write fails with EPIPE, asynchronously, as an error event
 * that would otherwise crash the process with a stack trace. Nothing more
 * can be shown to anyone, so the command ends there, successfully.
 */
function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

if (require.main === module) {
  exitQuietlyOnClosedPipe(process.stdout);
  exitQuietlyOnClosedPipe(process.stderr);
  const io: CliIO = { cwd: process.cwd(), env: process.env, out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${formatDiagnostic(internalError(e))}\n`);
      process.exitCode = 2;
    },
  );
}
