/**
 * A command's arguments, read by `node:util`'s parseArgs: positionals,
 * `--flag`, `--name value`, `--name=value`, `--` before positionals that
 * start with a dash. Each command declares its options; anything else
 * (`--bogus`, `-x`) is rejected with a message naming the command and its
 * options, esbuild-style, not ignored. `why` alone keeps other long options:
 * they are param overrides (`--scale=3`, as on `nx run`), which it checks
 * against the step's params itself.
 *
 * parseArgs runs non-strict, and this module checks the tokens it returns:
 * its strict mode would reject `--html` without a value with its own
 * message, where each command says what value it wants ("--html needs a
 * file name"); here an option without a value is `true` and the command
 * decides. `--name --other` is the same: `--other` is an option, never the
 * value of `--name`.
 */
import { parseArgs as parseTokens } from 'node:util';

export interface ParsedArgs {
  readonly positionals: readonly string[];
  /** Each option given: its value, or `true` for a boolean option (and for a string option given no value). */
  readonly flags: Readonly<Record<string, string | true>>;
}

/** A command's options, by name (without `--`). */
export type OptionTypes = Readonly<Record<string, 'boolean' | 'string'>>;

export class UsageError extends Error {}

function knownOptions(options: OptionTypes): string {
  const names = Object.keys(options);
  return names.length ? names.map((k) => `--${k}`).join(', ') : '(none)';
}

/** What to do with a long option the command did not declare: reject it, or keep it as given (a param override). */
export type OtherOptions = 'reject' | 'keep';

interface Into {
  readonly positionals: string[];
  readonly flags: Record<string, string | true>;
}

function collect(argv: readonly string[], command: string, options: OptionTypes, others: OtherOptions, into: Into): void {
  const { positionals, flags } = into;
  const { tokens } = parseTokens({
    args: [...argv],
    options: Object.fromEntries(Object.entries(options).map(([name, type]) => [name, { type }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const type = options[token.name];
    if (!type && others === 'keep' && token.rawName.startsWith('--')) {
      flags[token.name] = token.value ?? true;
      continue;
    }
    if (!type) throw new UsageError(`nx-steps ${command}: unknown option ${token.rawName}. Options: ${knownOptions(options)}.`);
    if (type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`nx-steps ${command}: --${token.name} takes no value, got "${token.value}".`);
      flags[token.name] = true;
    } else if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
      flags[token.name] = true;
      // parseArgs took the next option for this one's value: read the rest again from that option on.
      if (token.value !== undefined) return collect(argv.slice(token.index + 1), command, options, others, into);
    } else {
      flags[token.name] = token.value;
    }
  }
}

/** The arguments of `nx-steps <command>`; throws a UsageError naming the first option the command does not know. */
export function parseArgs(argv: readonly string[], command: string, options: OptionTypes = {}, others: OtherOptions = 'reject'): ParsedArgs {
  const into: Into = { positionals: [], flags: {} };
  collect(argv, command, options, others, into);
  return into;
}
