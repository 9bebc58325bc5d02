/**
 * The engine rig: the real engine (plugin/core/run `runStep`, the pre-task
 * pass that computes every step's `{env}` value, the real code analysis and
 * hashing) over real files in a temporary folder, without Nx. A command is a
 * process (runner.cjs → run-command.ts), as `nx run-many` starts processes:
 * module state, globals and tsx's one tsconfig never leak from one command
 * into the next. Nx's cache is modelled (stores.ts `NxCacheModel`), and
 * step-keyed entries live in folders a "machine" (a workspace copy) keeps
 * for itself or shares with others (the remote cache). Counting step calls
 * (`tools/count.ts`, as in the Nx e2e workspaces) proves what ran.
 *
 * What needs Nx itself (the graph, the daemon, Nx's real cache and remote
 * server, --batch's task waves) stays in the Nx e2e tests; the rig is for
 * the engine's rules, in seconds.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, TEMPLATE_FILES } from '../template';
import { compiledEngine } from './compile';
import type { CommandResult, RigCommand, RunnerMode } from './run-command';

export type { CommandResult, RunnerMode, TaskResult } from './run-command';

const OWN_VERSION = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The files every rig workspace starts with: the e2e template's, and the packages a pipeline imports. */
const rigFiles = (): Readonly<Record<string, string>> => ({
  'package.json': `${JSON.stringify({ name: 'rig-workspace', version: '0.0.0', private: true }, null, 2)}\n`,
  'tsconfig.base.json': TEMPLATE_FILES['tsconfig.base.json'] ?? '{}',
  'nx-steps.lock.json': TEMPLATE_FILES['nx-steps.lock.json'] ?? '{}',
  'tools/count.ts': TEMPLATE_FILES['tools/count.ts'] ?? '',
  // nx-steps as installed (a package, name and version), running this checkout's sources, compiled.
  'node_modules/nx-steps/package.json': `${JSON.stringify({ name: 'nx-steps', version: OWN_VERSION, main: 'index.js' }, null, 2)}\n`,
  'node_modules/nx-steps/index.js': `module.exports = require(${JSON.stringify(path.join(compiledEngine(), 'plugin/index.js'))});\n`,
  // An npm package a case shadows (the e2e template installs the real one).
  'node_modules/is-number/package.json': `${JSON.stringify({ name: 'is-number', version: '7.0.0', main: 'index.js' }, null, 2)}\n`,
  'node_modules/is-number/index.js': "module.exports = function isNumber(n) {\n  return typeof n === 'number';\n};\n",
});

let counter = 0;

export class RigWorkspace {
  constructor(readonly root: string) {}

  path(rel: string): string {
    return path.join(this.root, rel);
  }

  read(rel: string): string {
    return fs.readFileSync(this.path(rel), 'utf8');
  }

  write(rel: string, text: string): void {
    fs.mkdirSync(path.dirname(this.path(rel)), { recursive: true });
    fs.writeFileSync(this.path(rel), text);
  }

  /** How many times each step function ran since the last `resetCalls()`. */
  calls(): Record<string, number> {
    const out: Record<string, number> = {};
    if (!fs.existsSync(this.path('calls.log'))) return out;
    for (const line of this.read('calls.log').split('\n')) if (line) out[line] = (out[line] ?? 0) + 1;
    return out;
  }

  resetCalls(): void {
    fs.rmSync(this.path('calls.log'), { force: true });
  }

  /**
   * Another machine with the same checkout: the files, without what running
   * left behind (step outputs, nx-steps' caches and state, calls).
   */
  freshCopy(name: string): RigWorkspace {
    const copy = newRoot(name);
    fs.cpSync(this.root, copy, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (src) => path.basename(src) !== '.nx-steps' && src !== this.path('calls.log'),
    });
    return new RigWorkspace(copy);
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

function newRoot(name: string): string {
  counter += 1;
  const base = fs.realpathSync(os.tmpdir());
  return fs.mkdtempSync(path.join(base, `nxs-rig-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 30)}-${process.pid}-${counter}-`));
}

export function createRigWorkspace(name: string, files: Readonly<Record<string, string>> = {}): RigWorkspace {
  const ws = new RigWorkspace(newRoot(name));
  for (const [rel, text] of Object.entries({ ...rigFiles(), ...files })) ws.write(rel, text);
  return ws;
}

/** A folder for a cache (entries, Nx's model), removed with `removeStore`. */
export function newStore(name: string): string {
  return newRoot(`store-${name}`);
}

export function removeStore(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export interface RunOptions {
  readonly kind?: RigCommand['kind'];
  readonly targets?: readonly string[];
  /** Project roots to run every step of (when no targets are given); default: all. */
  readonly projects?: readonly string[];
  readonly mode?: RunnerMode;
  readonly skipLookups?: boolean;
  readonly localEntries?: string;
  readonly remoteEntries?: string;
  readonly remoteReadOnly?: boolean;
  readonly nxCache?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** The run's clock (TTL windows); default: now. */
  readonly now?: number;
}

/** An environment without what a surrounding Nx, Vitest or tsx would leak into the command. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('NX_') || k.startsWith('VITEST') || k.startsWith('TSX_') || k === 'CI' || k.startsWith('npm_') || k === 'NODE_OPTIONS')
      continue;
    env[k] = v;
  }
  return env;
}

/** How many command processes run at once (NXS_RIG_PROCESSES, default 3): a shared two-core machine. */
const MAX_PROCESSES = Number(process.env['NXS_RIG_PROCESSES'] ?? 3);
let running = 0;
const waiting: Array<() => void> = [];

async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_PROCESSES) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    return await fn();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

/** Runs one command in its own process; rejects with the process's output when it fails as a whole. */
export function runCommand(ws: RigWorkspace, options: RunOptions = {}): Promise<CommandResult> {
  return slot(() => spawnCommand(ws, options));
}

function spawnCommand(ws: RigWorkspace, options: RunOptions): Promise<CommandResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-rig-cmd-'));
  const cmd: RigCommand = {
    kind: options.kind ?? 'run',
    root: ws.root,
    targets: options.targets ?? [],
    ...(options.projects ? { projects: options.projects } : {}),
    mode: options.mode ?? 'plain',
    skipLookups: options.skipLookups ?? false,
    ...(options.localEntries ? { localEntries: options.localEntries } : {}),
    ...(options.remoteEntries ? { remoteEntries: options.remoteEntries, remoteReadOnly: options.remoteReadOnly ?? false } : {}),
    ...(options.nxCache ? { nxCache: options.nxCache } : {}),
    now: options.now ?? Date.now(),
    env: options.env ?? {},
  };
  fs.writeFileSync(path.join(dir, 'command.json'), JSON.stringify(cmd));
  return new Promise((resolve, reject) => {
    const args = [path.join(__dirname, 'runner.cjs'), compiledEngine(), path.join(dir, 'command.json'), path.join(dir, 'result.json')];
    const child = spawn(process.execPath, args, {
      cwd: ws.root,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => {
      try {
        if (code !== 0) return reject(new Error(`engine rig command failed (exit ${code}):\n${output.replace(/^/gm, '│ ')}`));
        resolve(JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8')) as CommandResult);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
