/**
 * The nx command of a run, as a record keeps it: option values are dropped
 * (`--token=abc` → `--token`), because a param override or any other flag may
 * carry a secret. Kept: the nx subcommand, task specs (`etl:upload`), and the
 * values of Nx's own selection flags (targets, projects, configuration, git
 * base/head), which say what ran and are not secret.
 */
import { SECRET_MASK } from '../state/secrets';

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

/**
 * A command line as it may be kept by others (Nx writes its own to `<cache>/run.json`): every option value
 * but those of Nx's selection flags becomes SECRET_MASK, in place (`--token=S3CRET` → `--token=•••`,
 * `--token S3CRET` → `--token •••`), for the same reason describeCommand drops them.
 */
export function maskCommandLine(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      out.push(
        arg,
        ...args
          .slice(i + 1)
          .map((a) => (a.startsWith('-') && a.includes('=') ? `${a.slice(0, a.indexOf('='))}=${SECRET_MASK}` : a.startsWith('-') ? a : SECRET_MASK)),
      );
      break;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!arg.startsWith('-') || SELECTION_FLAGS.has(name)) {
      out.push(arg);
      if (arg.startsWith('-') && eq < 0 && i + 1 < args.length) out.push(args[++i] as string);
      continue;
    }
    if (eq >= 0) {
      out.push(`${name}=${SECRET_MASK}`);
      continue;
    }
    out.push(arg);
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith('-') && !TASK_SPEC.test(next)) {
      out.push(SECRET_MASK);
      i++;
    }
  }
  return out;
}
