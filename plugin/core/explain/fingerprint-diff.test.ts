import { describe, expect, it } from 'vitest';
import type { FingerprintRecord } from '../fingerprint/fingerprint';
import { diffFingerprints } from './fingerprint-diff';

const base: FingerprintRecord = {
  schema: 2,
  nxSteps: '0.1.0',
  strategy: 'code_hash',
  code: {
    digest: 'c1',
    files: { 'etl/etl.pipeline.ts': ['u1', 'u2'], 'etl/csv.ts': ['u3'] },
    packages: { lodash: '4.17.20' },
    builtins: ['fs'],
    unresolved: [],
    identity: { observable: false, reasons: [] },
  },
  args: { file_path: { kind: 'file', digest: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', path: 'etl/data/raw.csv' }, limit: { kind: 'value', digest: 'l1' } },
  params: { scale: { digest: 'p1', value: 1 } },
  needs: { raw: { step: 'load_data', digest: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' } },
  inputs: ['file_path', 'limit', 'raw', 'scale'],
};

const messages = (after: unknown) => diffFingerprints(base, after as FingerprintRecord).map((c) => c.message);

describe('diffFingerprints', () => {
  it('finds nothing when the records are equal', () => {
    expect(diffFingerprints(base, structuredClone(base))).toEqual([]);
  });

  it('names the code file and the package that changed', () => {
    const after = {
      ...base,
      code: {
        ...base.code,
        digest: 'c2',
        files: { 'etl/etl.pipeline.ts': ['u1', 'u2'], 'etl/csv.ts': ['u9'], 'etl/util.ts': ['u4'] },
        packages: { lodash: '4.17.21' },
      },
    };
    expect(messages(after)).toEqual(['code: etl/csv.ts changed', 'code: now reaches etl/util.ts', 'code: package lodash 4.17.20 → 4.17.21']);
  });

  it('names the argument, the param (with its values) and the upstream result', () => {
    const after = {
      ...base,
      args: { ...base.args, file_path: { kind: 'file', digest: 'cccccccccccccccccccccccccccccccc', path: 'etl/data/raw.csv' } },
      params: { scale: { digest: 'p2', value: 2 } },
      needs: { raw: { step: 'load_data', digest: 'dddddddddddddddddddddddddddddddd' } },
    };
    const changes = diffFingerprints(base, after as FingerprintRecord);
    expect(changes.map((c) => [c.part, c.name, c.message])).toEqual([
      ['args', 'file_path', 'argument file_path: content of etl/data/raw.csv changed'],
      ['params', 'scale', 'param scale: 1 → 2'],
      ['needs', 'raw', 'upstream result of load_data (as raw) changed: bbbbbbbbbbbb → dddddddddddd'],
    ]);
  });

  it('reports added and removed entries, strategy, version and plugin version', () => {
    const { code: _code, ...rest } = base;
    const after = {
      ...rest,
      strategy: 'input_hash',
      nxSteps: '0.2.0',
      version: '2',
      params: {},
      args: { ...base.args, extra: { kind: 'value', digest: 'e' } },
    };
    expect(messages(after)).toEqual([
      'code no longer counts (the step uses input_hash)',
      'argument extra is new',
      'param scale was removed',
      'cache strategy: code_hash → input_hash',
      'version salt is new: 2',
      'nx-steps version: 0.1.0 → 0.2.0',
    ]);
  });

  it('reports parts it does not know yet by their field name, and the known future ones in words', () => {
    const after = { ...base, salt: 'fresh-1', ttl: { text: '24h', window: 5 }, region: { eu: { digest: 'x' } }, color: 'blue' };
    const before = { ...base, ttl: { text: '24h', window: 4 } } as FingerprintRecord;
    expect(diffFingerprints(before, after as unknown as FingerprintRecord).map((c) => c.message)).toEqual([
      'TTL window: 24h window #4 → 24h window #5',
      'salt (set by nx-steps clear) is new: fresh-1',
      'color is new: blue',
      'region eu is new',
    ]);
  });
});

describe('diffFingerprints and param values', () => {
  it('shows values this machine knows, a secret as changed only, and digests alone as changed', () => {
    const withParams = (params: FingerprintRecord['params']) => ({ ...base, params });
    const diff = (before: FingerprintRecord['params'], after: FingerprintRecord['params']) =>
      diffFingerprints(withParams(before), withParams(after)).map((c) => c.message);
    expect(diff({ scale: { digest: 'p1', value: 1 } }, { scale: { digest: 'p2', value: 2 } })).toEqual(['param scale: 1 → 2']);
    expect(diff({ token: { digest: 's1', value: '•••' } }, { token: { digest: 's2', value: '•••' } })).toEqual(['param token changed (a secret: not shown)']);
    // A result made elsewhere: its values were never here.
    expect(diff({ scale: { digest: 'p1' } }, { scale: { digest: 'p2', value: 2 } })).toEqual(['param scale changed']);
  });
});
