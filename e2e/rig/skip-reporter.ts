/**
 * Lists every skipped test at the end of a run, with why: Vitest's default
 * reporter shows only a count for a file that passed, and a skipped test
 * must say what it needs (its name, or the note of `ctx.skip(note)`).
 */
import * as path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node' with { 'resolution-mode': 'import' };

export default class SkipReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const lines: string[] = [];
    for (const m of testModules) {
      for (const test of m.children.allTests('skipped')) {
        const result = test.result();
        const note = result.state === 'skipped' && result.note ? ` (${result.note})` : '';
        lines.push(`  ↓ ${path.relative(process.cwd(), m.moduleId)} > ${test.fullName}${note}`);
      }
    }
    if (lines.length) process.stdout.write(`\nSkipped, and why:\n${lines.join('\n')}\n\n`);
  }
}
