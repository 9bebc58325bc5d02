/**
 * A small, strict argument parser: positionals, `--flag`, `--name value` and
 * `--name=value`. Unknown flags are rejected by each command with a clear
 * message (esbuild-style), not ignored.
 */
export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly flags: Readonly<Record<string, string | true>>;
}

export function parseArgs(argv: readonly string[], valueFlags: readonly string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (eq >= 0) flags[name] = arg.slice(eq + 1);
    else if (valueFlags.includes(name) && i + 1 < argv.length && !(argv[i + 1] as string).startsWith('--')) flags[name] = argv[++i] as string;
    else flags[name] = true;
  }
  return { positionals, flags };
}

export class UsageError extends Error {}

/** Throws a UsageError naming the first flag a command does not know. */
export function rejectUnknownFlags(args: ParsedArgs, known: readonly string[], command: string): void {
  for (const name of Object.keys(args.flags)) {
    if (!known.includes(name)) {
      throw new UsageError(`nx-steps ${command}: unknown option --${name}. Options: ${known.length ? known.map((k) => `--${k}`).join(', ') : '(none)'}.`);
    }
  }
}
