import { describe, expect, it } from 'vitest';
import { DiagnosticError } from './diagnostics';
import { checkOptions, DEFAULT_OPTIONS, normalizeOptions } from './plugin-options';

describe('plugin options', () => {
  it('default when absent, and take a glob', () => {
    expect(checkOptions(undefined)).toEqual({ ok: true, value: DEFAULT_OPTIONS });
    expect(checkOptions({ pipelines: 'p/*.ts' })).toEqual({ ok: true, value: { ...DEFAULT_OPTIONS, pipelines: 'p/*.ts' } });
    expect(checkOptions({ secretParams: false })).toEqual({ ok: true, value: { ...DEFAULT_OPTIONS, secretParams: false } });
    expect(checkOptions({ secretParams: '^pw$' })).toEqual({ ok: true, value: { ...DEFAULT_OPTIONS, secretParams: '^pw$' } });
  });

  it('read the remote cache bounds and the signing key', () => {
    const r = checkOptions({ remoteCache: { requestTimeout: '2s', budget: '1m', maxEntrySize: '512MiB', guard: false }, signing: { publicKey: 'MCow' } });
    expect(r).toEqual({
      ok: true,
      value: {
        ...DEFAULT_OPTIONS,
        remoteCache: { requestTimeoutMs: 2000, budgetMs: 60_000, maxEntryBytes: 512 * 1024 ** 2, guard: false },
        signing: { publicKey: 'MCow' },
      },
    });
    expect(DEFAULT_OPTIONS.remoteCache).toEqual({ requestTimeoutMs: 10_000, budgetMs: 60_000, maxEntryBytes: 2 * 1024 ** 3, guard: true });
  });

  it.each([
    ['a string', 'x', 'options must be an object'],
    ['an unknown option', { pipeline: 'x' }, 'unknown option "pipeline"'],
    ['an empty glob', { pipelines: '' }, '"pipelines" must be a non-empty glob string'],
    ['a bad timeout', { remoteCache: { requestTimeout: 'soon' } }, '"remoteCache.requestTimeout" must be a duration'],
    ['a bad size', { remoteCache: { maxEntrySize: 'big' } }, '"remoteCache.maxEntrySize" must be a size'],
    ['an unknown remote option', { remoteCache: { timeout: '1s' } }, 'unknown option "remoteCache.timeout"'],
    ['two keys', { signing: { publicKey: 'a', publicKeyFile: 'b' } }, 'takes one of "publicKey" or "publicKeyFile"'],
    ['a pattern that is no regular expression', { secretParams: '(' }, '"secretParams" must be a regular expression'],
    ['a pattern that is true', { secretParams: true }, '"secretParams" must be a regular expression'],
  ])('are an NXS301 diagnostic for %s', (_what, raw, text) => {
    const r = checkOptions(raw);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('NXS301');
    expect(r.error.message).toContain(text);
    expect(() => normalizeOptions(raw)).toThrow(DiagnosticError);
    expect(() => normalizeOptions(raw)).toThrow(/error NXS301: nx-steps\/plugin: /);
  });
});
