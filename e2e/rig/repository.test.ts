/**
 * Promises the repository makes to a newcomer: the TypeScript examples of
 * the README and docs/ come from files that `npm test` type-checks (and that
 * `npm run example` runs, for the pipeline); every command of the README is
 * run by a test or by `npm run example`; the root project.json's targets run
 * files that exist; one Nx range everywhere.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTestedNx, TESTED_NX } from '../../plugin/nx/nx-internals';
import { COMMANDS } from '../../cli/commands';
import { OTHER_NX_VERSIONS } from './template';

const REPO = path.resolve(__dirname, '../..');
const read = (rel: string) => fs.readFileSync(path.join(REPO, rel), 'utf8');

interface Block {
  readonly line: number;
  readonly lines: readonly string[];
}

function tsBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let current: { line: number; lines: string[] } | undefined;
  markdown.split('\n').forEach((text, i) => {
    if (!current && text.trim() === '```ts') current = { line: i + 1, lines: [] };
    else if (current && text.trim() === '```') {
      blocks.push(current);
      current = undefined;
    } else current?.lines.push(text);
  });
  return blocks;
}

/** Each command of the README's console blocks (`$ a && b` is two), without comments; `cd` runs nothing and is left out. */
function consoleCommands(markdown: string): { line: number; command: string }[] {
  const out: { line: number; command: string }[] = [];
  let inConsole = false;
  markdown.split('\n').forEach((text, i) => {
    if (text.trim() === '```console') inConsole = true;
    else if (text.trim() === '```') inConsole = false;
    else if (inConsole && text.startsWith('$ ')) {
      const line = text.slice(2).replace(/\s+#.*$/, '');
      for (const part of line.split(' && ').map((p) => p.trim())) if (!part.startsWith('cd ')) out.push({ line: i + 1, command: part });
    }
  });
  return out;
}

/**
 * A command line a test runs through a shell: the literal passed to `sh(...)`,
 * `${...}` in a template literal standing for anything (the README writes
 * such a part as `<placeholder>`, or as the value it has there).
 */
class ShellCall {
  private readonly pattern: RegExp;
  private readonly skeleton: string;

  constructor(readonly literal: string) {
    const parts = literal.split(/\$\{[^}]*\}/);
    this.pattern = new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`);
    this.skeleton = parts.join('\u0000');
  }

  matches(command: string): boolean {
    return this.pattern.test(command) || command.replace(/<[^>]+>/g, '\u0000') === this.skeleton;
  }
}

function e2eSources(): string[] {
  return fs
    .readdirSync(path.join(REPO, 'e2e'))
    .filter((f) => f.endsWith('.e2e.test.ts'))
    .map((f) => read(`e2e/${f}`));
}

/** Every command line the e2e tests and `npm run example` run through a shell. */
function commandsRun(): ShellCall[] {
  const sources = [...e2eSources(), read('examples/run-example.ts')];
  const calls = sources.flatMap((src) => [...src.matchAll(/\bsh\(\s*(?:\w+,\s*)?(['"`])((?:\\.|(?!\1)[^\\])*)\1/g)].map((m) => m[2] ?? ''));
  return calls.flatMap((c) => c.split(' && ')).map((c) => new ShellCall(c.trim()));
}

/** The lines of `block` that are not in `file` in the same order (blank lines and `// …` elisions aside). */
function notAnExcerpt(block: readonly string[], file: string): string[] {
  const lines = file.split('\n').map((l) => l.trim());
  let at = 0;
  const missing: string[] = [];
  for (const raw of block) {
    const line = raw.trim();
    if (line === '' || line === '// …') continue;
    const found = lines.indexOf(line, at);
    if (found < 0) missing.push(line);
    else at = found + 1;
  }
  return missing;
}

/** The README and the reference in docs/. */
const DOCS = ['README.md', ...fs.readdirSync(path.join(REPO, 'docs')).map((f) => `docs/${f}`)].filter((f) => f.endsWith('.md'));

describe('the README and docs/', () => {
  it('have TypeScript examples, each naming the file it comes from (under examples/, type-checked by npm test or by the e2e test that names it)', () => {
    let count = 0;
    for (const doc of DOCS) {
      for (const b of tsBlocks(read(doc))) {
        count += 1;
        const source = /^\/\/ (examples\/\S+\.m?ts)\b/.exec(b.lines[0] ?? '')?.[1];
        expect(source, `${doc}:${b.line}: the first line names the source file`).toBeDefined();
        expect(fs.existsSync(path.join(REPO, source as string)), `${doc}:${b.line}: ${source} exists`).toBe(true);
        expect(notAnExcerpt(b.lines.slice(1), read(source as string)), `${doc}:${b.line}: lines not in ${source}, in this order`).toEqual([]);
      }
    }
    expect(count).toBeGreaterThanOrEqual(8);
  });

  it('would catch an example that drifted from its file', () => {
    expect(notAnExcerpt(['export const a = 1;', 'export const b = 2;'], 'export const b = 2;\nexport const a = 1;\n')).toEqual(['export const b = 2;']);
  });
});

describe("the README's commands", () => {
  const readme = read('README.md');
  const run = commandsRun();

  it('are each run by a test (e2e) or by npm run example, or are a script of package.json', () => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    const commands = consoleCommands(readme);
    expect(commands.length).toBeGreaterThanOrEqual(15);
    const notRun = commands.filter(({ command }) => {
      const script = /^npm (?:run )?(\S+)$/.exec(command)?.[1];
      if (script && command !== 'npm install' && command !== 'npm pack') return !scripts.includes(script);
      return !run.some((r) => r.matches(command));
    });
    expect(notRun.map((c) => `README.md:${c.line}: ${c.command}`)).toEqual([]);
  });

  it('list every nx-steps command, each run by an e2e test', () => {
    const listed = [...readme.matchAll(/^\| `nx-steps (\w[\w-]*)/gm)].map((m) => m[1] ?? '');
    expect(listed.sort()).toEqual(COMMANDS.map((c) => c.name).sort());
    const e2e = e2eSources().join('\n');
    // `key` is run by Nx, as the runtime input of a step with a custom key.
    const evidence = (name: string) => (name === 'key' ? /cache: \{[^}]*key: /.test(e2e) : new RegExp(`cli\\(\\['${name}'|nx-steps ${name}\\b`).test(e2e));
    expect(listed.filter((name) => !evidence(name))).toEqual([]);
  });

  it('would catch a command no test runs', () => {
    expect(run.some((r) => r.matches('npx nx run etl:nothing-runs-this'))).toBe(false);
    expect(new ShellCall('npx nx add nx-steps@file:${tarball}').matches('npx nx add nx-steps@file:../nx-steps/nx-steps-0.1.0.tgz')).toBe(true);
    expect(new ShellCall('git clone ${REPO_ROOT} nx-steps').matches('git clone <repository-url> nx-steps')).toBe(true);
  });
});

describe("the repository's own project.json", () => {
  it('runs files that exist', () => {
    const project = JSON.parse(read('project.json')) as { targets: Record<string, { command?: string }> };
    const files = Object.values(project.targets).flatMap((t) => (t.command ?? '').split(/\s+/).filter((w) => /\.(m?[jt]s|json)$/.test(w)));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => !fs.existsSync(path.join(REPO, f)))).toEqual([]);
  });
});

describe('the Nx versions nx-steps supports', () => {
  const pkg = JSON.parse(read('package.json')) as {
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };

  it('are one range: the nx peer, the @nx/devkit dependency, what nx-internals.ts calls tested, and what the e2e smoke path runs', () => {
    expect(TESTED_NX).toBe('22.7 to 24.x');
    expect(pkg.peerDependencies['nx']).toBe('>=22.7.0 <25.0.0');
    expect(pkg.dependencies['@nx/devkit']).toBe(pkg.peerDependencies['nx']);
    const smoke = [...OTHER_NX_VERSIONS.map((v) => v.nx), pkg.devDependencies['nx'] ?? ''];
    expect(smoke.map((v) => v.split('.').slice(0, 2).join('.'))).toEqual(['22.7', '23.3', '24.0']);
    expect(smoke.every(isTestedNx)).toBe(true);
  });
});
