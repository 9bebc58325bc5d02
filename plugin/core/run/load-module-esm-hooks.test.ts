import { describe, expect, it } from 'vitest';
import { withPrelude } from './load-module-esm-hooks';

const PRELUDE =
  "import { createRequire as __nxStepsCreateRequire } from 'node:module'; var __filename = import.meta.filename, __dirname = import.meta.dirname, require = __nxStepsCreateRequire(import.meta.url); ";

describe('CommonJS names in a module made an ES module', () => {
  it('are defined on the first line, so line numbers stay', () => {
    const source = "import * as vega from 'vega';\nexport const here = __dirname;\n";
    expect(withPrelude(source)).toBe(`${PRELUDE}${source}`);
    expect(withPrelude(source).split('\n').length).toBe(source.split('\n').length);
  });

  it('are left alone where the module binds them itself', () => {
    expect(withPrelude('const __dirname = "x";\nexport {};\n')).toBe(
      'import { createRequire as __nxStepsCreateRequire } from \'node:module\'; var __filename = import.meta.filename, require = __nxStepsCreateRequire(import.meta.url); const __dirname = "x";\nexport {};\n',
    );
    expect(withPrelude("import { createRequire as require } from 'node:module';\n")).not.toContain('require = __nxStepsCreateRequire');
    expect(withPrelude("import { createRequire as require } from 'node:module';\n")).not.toContain('import { createRequire as __nxStepsCreateRequire }');
  });

  it('go after a #! line', () => {
    expect(withPrelude('#!/usr/bin/env node\nexport {};\n')).toBe(`#!/usr/bin/env node\n${PRELUDE}export {};\n`);
  });
});
