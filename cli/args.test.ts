import * as os from 'node:os';
import { describe, expect, it } from 'vitest';
import type { OptionTypes } from './args';
import { parseArgs, UsageError } from './args';
import { COMMANDS } from './commands';
import { main } from './main';

const REPORT: OptionTypes = { last: 'boolean', since: 'string', json: 'boolean', html: 'string', experiments: 'boolean' };

describe('parseArgs', () => {
  it.each([
    ['positionals and a flag', ['etl', '--json'], { positionals: ['etl'], flags: { json: true } }],
    ['--name value and --name=value', ['--since', '7d', '--html=out.html'], { positionals: [], flags: { since: '7d', html: 'out.html' } }],
    ['a value may start with one dash', ['--since', '-5d'], { positionals: [], flags: { since: '-5d' } }],
    ['an option with no value is true (the command says what it wants)', ['--html'], { positionals: [], flags: { html: true } }],
    [
      'the option after one with no value is an option, not its value',
      ['--html', '--since', '2w', 'etl'],
      { positionals: ['etl'], flags: { html: true, since: '2w' } },
    ],
    ['an empty inline value is a value', ['--html='], { positionals: [], flags: { html: '' } }],
    ['the last of a repeated option wins', ['--since', '1d', '--since=2d'], { positionals: [], flags: { since: '2d' } }],
    ['after --, everything is a positional', ['etl', '--', '--json', '-x'], { positionals: ['etl', '--json', '-x'], flags: {} }],
  ])('%s', (_what, argv, parsed) => {
    expect(parseArgs(argv, 'report', REPORT)).toEqual(parsed);
  });

  it.each([
    [['--bogus'], 'nx-steps report: unknown option --bogus. Options: --last, --since, --json, --html, --experiments.'],
    [['etl', '-x'], 'nx-steps report: unknown option -x. Options: --last, --since, --json, --html, --experiments.'],
    [['--no-json'], 'nx-steps report: unknown option --no-json. Options: --last, --since, --json, --html, --experiments.'],
    [['--json=yes'], 'nx-steps report: --json takes no value, got "yes".'],
  ])('rejects %j clearly', (argv, message) => {
    expect(() => parseArgs(argv, 'report', REPORT)).toThrow(new UsageError(message));
  });

  it("keeps other long options as given when asked (why's param overrides), and still rejects short ones", () => {
    expect(parseArgs(['etl:s', '--json', '--scale=3', '--dry'], 'why', { json: 'boolean' }, 'keep')).toEqual({
      positionals: ['etl:s'],
      flags: { json: true, scale: '3', dry: true },
    });
    expect(() => parseArgs(['etl:s', '-x'], 'why', { json: 'boolean' }, 'keep')).toThrow(new UsageError('nx-steps why: unknown option -x. Options: --json.'));
  });

  it('names no options for a command that has none', () => {
    expect(() => parseArgs(['--json'], 'clear')).toThrow(new UsageError('nx-steps clear: unknown option --json. Options: (none).'));
  });
});

describe('every command', () => {
  // `key` is run by Nx while hashing and never fails (it prints a fresh key instead): it reads positionals only.
  // `why` takes any --<param>=<value> (checked against the step's params once the workspace is read).
  const commands = COMMANDS.filter((c) => c.name !== 'key' && c.name !== 'why');

  it.each(commands.map((c) => [c.name]))('%s rejects an unknown option before reading the workspace, with exit code 1', async (name) => {
    const err: string[] = [];
    const io = { cwd: os.tmpdir(), env: {}, out: () => undefined, err: (t: string) => err.push(t) };
    expect(await main([name, 'p:s', '--bogus'], io)).toBe(1);
    expect(err.join('')).toMatch(new RegExp(`^nx-steps ${name}: unknown option --bogus\\. Options: `));
  });
});
