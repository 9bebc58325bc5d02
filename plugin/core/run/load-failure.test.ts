import { describe, expect, it } from 'vitest';
import { describeLoadFailure, frameIn } from './load-failure';

const FILE = '/ws/lab/lab.pipeline.ts';

describe('describeLoadFailure', () => {
  it('points at the first frame in the pipeline file', () => {
    const e = new Error("Cannot find module 'no-such-pkg'");
    e.stack = [
      "Error: Cannot find module 'no-such-pkg'",
      '    at Module._resolveFilename (node:internal/modules/cjs/loader:1207:15)',
      '    at /ws/node_modules/tsx/dist/register.cjs:22:4512',
      `    at <anonymous> (${FILE}:2:15)`,
      `    at Object.<anonymous> (${FILE}:9:1)`,
    ].join('\n');
    expect(describeLoadFailure(e, FILE, 'lab/lab.pipeline.ts')).toEqual({ stack: e.stack, location: { file: 'lab/lab.pipeline.ts', line: 2, column: 15 } });
  });

  it('falls back to the top of the file when no frame is in it', () => {
    expect(describeLoadFailure('boom', FILE, 'lab/lab.pipeline.ts').location).toEqual({ file: 'lab/lab.pipeline.ts', line: 1, column: 1 });
  });

  it('ignores a file whose name only starts like the pipeline file, and message text that is not a frame', () => {
    const stack = [`Error: bad value in ${FILE}:7:7`, `    at f (${FILE}.bak:3:3)`, `    at g (${FILE}:4:5)`].join('\n');
    expect(frameIn(stack, FILE)).toEqual({ line: 4, column: 5 });
  });
});
