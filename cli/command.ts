/** The shape of one `nx-steps <command>`. Each command lives in cli/commands/<name>.ts. */
export interface CliIO {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  readonly name: string;
  /** One line for `nx-steps --help`. */
  readonly summary: string;
  /** Full usage text for `nx-steps <command> --help`. */
  readonly usage: string;
  /** Returns the process exit code. */
  run(argv: readonly string[], io: CliIO): Promise<number>;
}
