/**
 * The dependency rule of docs/architecture.md ("Layers and the dependency rule"), checked on the import
 * graph of the sources. A failure names the file, the line and the import that breaks the rule.
 */
import { describe, expect, it } from 'vitest';
import type { Import } from './test-utils/imports';
import { cycles, importsOf, sourceFiles } from './test-utils/imports';

const imports = sourceFiles(['plugin', 'executors', 'generators', 'cli']).flatMap(importsOf);
const show = (i: Import): string => `${i.from}:${i.line} imports ${i.to}${i.value ? '' : ' (type)'}`;

const isNx = (to: string): boolean => to === 'nx' || to.startsWith('nx/') || to.startsWith('@nx/');
const inCore = (file: string): boolean => file.startsWith('plugin/core/');
const inApi = (file: string): boolean => file.startsWith('plugin/api/');
/** Project modules outside node_modules. */
const isProjectFile = (to: string): boolean => /^(plugin|executors|generators|cli)\//.test(to);

describe('the dependency rule', () => {
  it('plugin/core imports nothing from Nx, not even types', () => {
    expect(imports.filter((i) => inCore(i.from) && isNx(i.to)).map(show)).toEqual([]);
  });

  it('plugin/core imports no layer above it (plugin/nx, plugin/scripts, executors, generators, cli)', () => {
    const above = (to: string): boolean => isProjectFile(to) && !inCore(to) && !inApi(to) && !to.startsWith('plugin/shared/');
    expect(imports.filter((i) => inCore(i.from) && above(i.to)).map(show)).toEqual([]);
  });

  it('plugin/core imports only types from plugin/api (shared values live in plugin/shared)', () => {
    expect(imports.filter((i) => inCore(i.from) && inApi(i.to) && i.value).map(show)).toEqual([]);
  });

  it("plugin/api and the 'nx-steps' entry load no core, no Nx and no layer above: every pipeline file imports them", () => {
    // The entry's runPipeline forwarder requires plugin/scripts lazily, inside the function, on purpose.
    const lazy = new Set(['plugin/index.ts -> plugin/scripts/run-pipeline.ts']);
    const declarationLayer = (file: string): boolean => inApi(file) || file === 'plugin/index.ts' || file.startsWith('plugin/shared/');
    const allowed = (to: string): boolean => inApi(to) || to.startsWith('plugin/shared/') || to.startsWith('node:');
    const offenders = imports.filter((i) => declarationLayer(i.from) && i.value && !allowed(i.to) && !lazy.has(`${i.from} -> ${i.to}`));
    expect(offenders.map(show)).toEqual([]);
    expect(imports.filter((i) => declarationLayer(i.from) && isNx(i.to)).map(show)).toEqual([]);
  });

  it('plugin/shared imports only types from the project', () => {
    expect(imports.filter((i) => i.from.startsWith('plugin/shared/') && i.value && !i.to.startsWith('node:')).map(show)).toEqual([]);
  });

  it('the folders of plugin/core import each other without cycles (type imports included)', () => {
    // A folder of plugin/core, or a file directly in it (diagnostics.ts, workspace.ts, version.ts).
    const unit = (file: string): string | undefined => /^plugin\/core\/([^/]+)/.exec(file)?.[1];
    const edges = new Map<string, Set<string>>();
    for (const i of imports) {
      const from = unit(i.from);
      const to = unit(i.to);
      if (from === undefined || to === undefined || from === to) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
    }
    expect(edges.size).toBeGreaterThan(5);
    expect(cycles(edges)).toEqual([]);
  });
});

describe('cycles (the check itself)', () => {
  it('finds a cycle and leaves a chain alone', () => {
    const graph = (pairs: string[]): Map<string, Set<string>> => {
      const edges = new Map<string, Set<string>>();
      for (const pair of pairs) {
        const [a = '', b = ''] = pair.split('>');
        edges.set(a, (edges.get(a) ?? new Set<string>()).add(b));
      }
      return edges;
    };
    expect(cycles(graph(['a>b', 'b>c']))).toEqual([]);
    expect(cycles(graph(['a>b', 'b>c', 'c>a', 'c>d']))).toEqual([['a', 'b', 'c']]);
  });
});

describe('importsOf (the check itself)', () => {
  it('tells type-only imports from value imports', () => {
    const own = importsOf('plugin/architecture.test.ts');
    expect(own.find((i) => i.to === 'plugin/test-utils/imports.ts' && !i.value)).toBeDefined();
    expect(own.find((i) => i.to === 'plugin/test-utils/imports.ts' && i.value)).toBeDefined();
    expect(own.find((i) => i.to === 'vitest')?.value).toBe(true);
  });
});
