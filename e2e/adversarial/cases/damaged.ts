/**
 * Category 12: nx-steps' own caches damaged between two runs. Whatever a
 * cache file holds (`{}`, garbage, half a file, JSON of the wrong shape, a
 * file where a folder was), no Nx command may fail and no step may crash or
 * serve a stale result: a damaged entry is a miss. Damage reaches the whole
 * workspace, so each kind of damage has its own group (workspace). The
 * 'state' group damages nx-steps' other files the same way: the lock file,
 * local salts and run records.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AdversarialCase, EditContext } from '../harness';
import { pipelineFile } from '../harness';

const D = '12 damaged caches';

type Damage = 'empty' | 'mixed' | 'structure' | 'state';

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const SHAPES = ['[]', 'null', '"x"', '0', '{"version":4,"steps":5}', '{"steps":{},"observed":null}', '{"decls":null,"load":7}', '{"key":12}'];

/** Damages every file under <ws>/.nx-steps/cache (idempotent enough to be applied by each case of a group). */
function damageCaches(c: EditContext, kind: Damage): void {
  const root = c.ws.path('.nx-steps/cache');
  if (kind === 'state') {
    // Not caches but nx-steps' other files: the committed lock, local salts, run records.
    fs.writeFileSync(c.ws.path('nx-steps.lock.json'), '{}');
    fs.mkdirSync(c.ws.path('.nx-steps/state'), { recursive: true });
    fs.writeFileSync(c.ws.path('.nx-steps/state/salts.json'), 'garbage{');
    fs.mkdirSync(path.dirname(c.saltsFile()), { recursive: true });
    fs.writeFileSync(c.saltsFile(), 'garbage{');
    for (const f of filesUnder(c.ws.path('.nx-steps/runs'))) fs.writeFileSync(f, '[]');
    return;
  }
  if (kind === 'structure') {
    for (const name of fs.existsSync(root) ? fs.readdirSync(root) : []) {
      const p = path.join(root, name);
      if (fs.statSync(p).isDirectory()) {
        fs.rmSync(p, { recursive: true, force: true });
        fs.writeFileSync(p, 'not a folder');
      }
    }
    return;
  }
  let i = 0;
  for (const file of filesUnder(root)) {
    if (path.basename(file) === '.gitignore') continue;
    i += 1;
    if (kind === 'empty') fs.writeFileSync(file, '{}');
    // Mixed: garbage bytes, half a file, or JSON of another shape, file by file.
    else if (i % 3 === 0) fs.writeFileSync(file, Buffer.from(Array.from({ length: 64 }, (_, k) => (k * 37 + i * 11) % 256)));
    else if (i % 3 === 1) fs.writeFileSync(file, fs.readFileSync(file).subarray(0, Math.floor(fs.statSync(file).size / 2)));
    else fs.writeFileSync(file, SHAPES[i % SHAPES.length] ?? '{}');
  }
}

const HELPER = 'export function rate() {\n  return 1;\n}\n';

function group(kind: Damage, daemon = false): AdversarialCase[] {
  const id = (what: string) => `c12-${kind}-${what}`;
  return [
    {
      id: id('code-edit'),
      category: D,
      title: `caches ${kind}; the step's own code edited`,
      files: { 'main.pipeline.ts': pipelineFile(id('code-edit'), { steps: { subject: "return 'v1';" } }) },
      edit: (c) => {
        c.apply({ 'main.pipeline.ts': ["'v1'", "'v2'"] });
        damageCaches(c, kind);
      },
      changes: true,
      group: `damaged-${kind}`,
      daemon,
    },
    {
      id: id('helper-edit'),
      category: D,
      title: `caches ${kind}; a helper the step calls edited`,
      files: {
        'main.pipeline.ts': pipelineFile(id('helper-edit'), { imports: "import { rate } from './helper';", steps: { subject: 'return rate();' } }),
        'helper.ts': HELPER,
      },
      edit: (c) => {
        c.apply({ 'helper.ts': ['return 1;', 'return 2;'] });
        damageCaches(c, kind);
      },
      changes: true,
      group: `damaged-${kind}`,
      daemon,
    },
    {
      id: id('nothing-else'),
      category: D,
      title: `caches ${kind}; nothing else changed (no re-run either)`,
      files: {
        'main.pipeline.ts': pipelineFile(id('nothing-else'), {
          imports: "import { rate } from './helper';",
          steps: { subject: 'return rate();', sibling: "return 's';" },
        }),
        'helper.ts': HELPER,
      },
      edit: (c) => damageCaches(c, kind),
      changes: false,
      // Salts damaged with no sound backup: which steps were cleared is unknown, so every step recomputes once
      // (core/state/salts.ts) rather than bring a cleared result back. Needless, by design, for 'state'.
      precise: kind !== 'state',
      group: `damaged-${kind}`,
      daemon,
    },
  ];
}

export const DAMAGED_CASES: readonly AdversarialCase[] = [...group('empty', true), ...group('mixed'), ...group('structure'), ...group('state')];
