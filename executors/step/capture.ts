/**
 * Captures what a step prints while it runs in a batch (console, and writes
 * to process.stdout and process.stderr), so that its output is attributed to
 * its own task instead of streaming into whichever task Nx showed last.
 * Steps in a batch run one at a time, so swapping the writers is safe.
 */
type Write = typeof process.stdout.write;

export interface Capture {
  /** Appends text to the task's output. */
  write(text: string): void;
  /** Writes a line to the real stdout as well (live progress). */
  passThrough(line: string): void;
  /** Restores the writers. */
  stop(): void;
  text(): string;
}

export function captureOutput(): Capture {
  const chunks: string[] = [];
  const original = { out: process.stdout.write, err: process.stderr.write };
  let active = true;
  const intercept = ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    const done = typeof encoding === 'function' ? encoding : cb;
    if (typeof done === 'function') (done as () => void)();
    return true;
  }) as Write;
  process.stdout.write = intercept;
  process.stderr.write = intercept;
  const stop = (): void => {
    if (!active) return;
    active = false;
    process.stdout.write = original.out;
    process.stderr.write = original.err;
  };
  return {
    write: (text) => chunks.push(text),
    passThrough: (line) => {
      const write = original.out.bind(process.stdout) as (s: string) => boolean;
      write(`${line}\n`);
    },
    stop,
    text: () => chunks.join(''),
  };
}
