/** One line per event, prefixed so step output stands out from Nx's. */
import type { StepLogger } from '../../api/step';

export interface RunLog extends StepLogger {
  /** nx-steps' own lines (the step's own logging goes through info/warn/error). */
  note(message: string): void;
}

export function consoleLog(prefix: string, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): RunLog {
  const fmt = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : require('node:util').inspect(a, { depth: 4, colors: false }))).join(' ');
  return {
    note: (m) => out.write(`nx-steps ▸ ${prefix} ${m}\n`),
    info: (...a) => out.write(`${fmt(a)}\n`),
    warn: (...a) => err.write(`${fmt(a)}\n`),
    error: (...a) => err.write(`${fmt(a)}\n`),
  };
}
