import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './index';

describe('the nx-steps commands', () => {
  it('are the ones docs/architecture.md lists for cli/', () => {
    const doc = fs.readFileSync(path.join(__dirname, '../../docs/architecture.md'), 'utf8');
    const line = /^cli\/\s+the nx-steps command \(([^)]*)\)$/m.exec(doc);
    expect(line, 'the cli/ line of the layers block').not.toBeNull();
    expect((line?.[1] ?? '').split(', ')).toEqual(COMMANDS.map((c) => c.name));
  });
});
