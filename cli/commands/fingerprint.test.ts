/**
 * `nx-steps fingerprint`'s text names what decides the key that a person must
 * see without --json (issue 22): whether the step's identity is in its key and
 * why, and every load nx-steps cannot name.
 */
import { describe, expect, it } from 'vitest';
import type { FingerprintRecord } from '../../plugin/core/fingerprint/fingerprint';
import { describeRecord } from './fingerprint';

const code: NonNullable<FingerprintRecord['code']> = {
  digest: 'c'.repeat(32),
  files: { 'etl/etl.pipeline.ts': ['u1'] },
  packages: {},
  builtins: [],
  unresolved: [],
  dynamic: ['etl/etl.pipeline.ts:7:10 require(name)'],
  identity: { observable: true, reasons: ['etl/etl.pipeline.ts:5:42 ctx.step', 'a load nx-steps cannot name (etl/etl.pipeline.ts:7:10 require(name))'] },
};

const record = (extra: Partial<FingerprintRecord>): FingerprintRecord => ({
  schema: 2,
  nxSteps: '0.1.0',
  strategy: 'code_hash',
  args: {},
  params: {},
  needs: {},
  inputs: [],
  ...extra,
});

describe('nx-steps fingerprint, as text', () => {
  it('names the loads nx-steps cannot name, and why identity is in the key', () => {
    const lines = describeRecord(record({ code, identity: { project: 'etl', root: 'etl', step: 'train' } }));
    expect(lines).toContain("  unnamed load  etl/etl.pipeline.ts:7:10 require(name) (the key covers the loading module's whole folder instead)");
    expect(lines).toContain(
      '  identity      etl:train in etl (the code may see it: etl/etl.pipeline.ts:5:42 ctx.step; a load nx-steps cannot name (etl/etl.pipeline.ts:7:10 require(name)))',
    );
  });

  it('says when identity is not in the key, and why it is for input_hash', () => {
    const blind = { ...code, dynamic: [], identity: { observable: false, reasons: [] } };
    expect(describeRecord(record({ code: blind }))).toContain(
      '  identity      not in the key: the code cannot see its name, project or folder (a renamed step or moved folder restores)',
    );
    expect(describeRecord(record({ strategy: 'input_hash', identity: { project: 'etl', root: 'etl', step: 'load' } }))).toContain(
      '  identity      etl:load in etl (input_hash: the key has no code, so nothing proves the step cannot see it)',
    );
  });
});
