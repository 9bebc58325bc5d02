import { describe, expect, it } from 'vitest';
import { describeCommand, maskCommandLine } from './command-line';

const nx = (...args: string[]) => ['/usr/bin/node', '/ws/node_modules/nx/dist/bin/nx.js', ...args];

describe('describeCommand', () => {
  it('keeps the subcommand, task specs and selection flags, and drops every other flag value', () => {
    expect(describeCommand(nx('run', 'etl:summary', '--scale=3', '--token', 's3cret'))).toEqual(['run', 'etl:summary', '--scale', '--token']);
    expect(describeCommand(nx('run-many', '-t', 'load_data', '--projects=etl', '--skip-nx-cache'))).toEqual([
      'run-many',
      '-t',
      'load_data',
      '--projects=etl',
      '--skip-nx-cache',
    ]);
    expect(describeCommand(nx('run', 'etl:upload', '--', '--password=x'))).toEqual(['run', 'etl:upload']);
  });
});

describe('maskCommandLine', () => {
  it('masks every option value but those of selection flags, in both forms, and leaves task specs', () => {
    expect(maskCommandLine(['run', 'etl:upload', '--token=S3CRET', '--scale', '3', '--skip-nx-cache', 'etl:x'])).toEqual([
      'run',
      'etl:upload',
      '--token=•••',
      '--scale',
      '•••',
      '--skip-nx-cache',
      'etl:x',
    ]);
    expect(maskCommandLine(['run-many', '-t', 'load', '--projects=etl', '--base', 'main', '--', '--password=x', 'y'])).toEqual([
      'run-many',
      '-t',
      'load',
      '--projects=etl',
      '--base',
      'main',
      '--',
      '--password=•••',
      '•••',
    ]);
  });
});
