/**
 * The nx command of a run, as a record keeps it: option values are dropped
 * (`--token=abc` → `--token`), because a param override or any other flag may
 * carry a secret. Kept: the nx subcommand, task specs (`etl:upload`), and the
 * values of Nx's own selection flags (targets, projects, configuration, git
 * base/head), which say what ran and are not secret.
 */
const SELECTION_FLAGS = new Set(['-t', '--target', '--targets', '-p', '--projects', '-c', '--configuration', '--base', '--head', '--exclude']);
const TASK_SPEC = /^[\w@./-]+:[\w.-]+(:[\w.-]+)?$/;

/** `argv` is the nx process's argv: [node, nx, subcommand, ...]. */
export function describeCommand(argv: readonly string[]): string[] {
  const args = argv.slice(2);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') break; // everything after it goes to the tasks
    if (arg.startsWith('-')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg : arg.slice(0, eq);
      if (SELECTION_FLAGS.has(name)) {
        if (eq >= 0) out.push(arg);
        else if (i + 1 < args.length && !(args[i + 1] as string).startsWith('-')) out.push(arg, args[++i] as string);
        else out.push(arg);
      } else {
        out.push(name);
      }
      continue;
    }
    // The first positional is nx's subcommand; later ones are kept only when they are task specs.
    if (out.length === 0 || TASK_SPEC.test(arg)) out.push(arg);
  }
  return out;
}
