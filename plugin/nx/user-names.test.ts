/**
 * Names users choose are keys, never properties of Object.prototype: every name of Object.prototype (and
 * `then`) as a step, a need, a param, an argument, a fan-out input and item, a metric, an export, a
 * top-level declaration of a pipeline file, a helper module's export, and a project, through the real
 * discovery, model, code analysis, targets and the run engine (its module replaced, as in
 * core/run/run-step.test.ts). Where Nx or JavaScript allow the name the step runs; where they do not
 * (Nx 24 cannot run a target or build a graph with a project named like a property of Object.prototype;
 * `__proto__: x` in an object literal sets a prototype, not a key) a diagnostic points at the name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { step } from '../api/step';
import type { Diagnostic } from '../core/diagnostics';
import { fingerprintWorkspace } from '../core/fingerprint/workspace-pass';
import { KeyBuilder } from '../core/fingerprint/step-key';
import { tempDir, writeTree } from '../core/hash/test-utils/tree';
import type { ProjectModel } from '../core/model/project-model';
import { readResult } from '../core/outputs/result';
import { readMetrics } from '../core/records/metrics';
import { readStepMeta } from '../core/records/observe';
import type { RunLog } from '../core/run/log';
import { runStep } from '../core/run/run-step';
import { OBJECT_PROTOTYPE_NAMES } from '../core/util/own';
import { createServices, loadWorkspaceModel } from '../core/workspace';
import { projectConfiguration } from './targets';

const NAMES = [...Object.getOwnPropertyNames(Object.prototype), 'then'];
const FILES = ['a/a.pipeline.ts', 's/s.pipeline.ts', 'e/e.pipeline.ts', 'n/n.pipeline.ts'];

function sources(n: string): Record<string, string> {
  return {
    'lib/h.ts': `export function ${n}(x: number): number {\n  return x + 1;\n}\nexport const unrelated = 1;\n`,
    'a/data.txt': 'data\n',
    'a/a.pipeline.ts': [
      "import { file, pipeline, step } from 'nx-steps';",
      `import { ${n} as fromHelper } from '../lib/h';`,
      "export default pipeline({ name: 'a' });",
      `function ${n}(x: number): number {`,
      '  return x * 2;',
      '}',
      `export const up = step(() => fromHelper(1) + ${n}(1));`,
      `export const needs_it = step({ needs: { ${n}: up } }, (input) => input['${n}']);`,
      `export const param_it = step({ params: { ${n}: 3 } }, (input) => input['${n}']);`,
      `export const arg_it = step({ args: { ${n}: file('data.txt') } }, (input) => input['${n}']);`,
      `export const each_it = step({ each: { ${n}: [1] } }, (input) => input['${n}']);`,
      `export const fan = step({ each: { item: ['${n}', 'b'] } }, ({ item }) => item);`,
      'export const gather = step({ needs: { all: fan } }, ({ all }) => Object.keys(all));',
      '',
    ].join('\n'),
    's/s.pipeline.ts': [
      "import { pipeline, step } from 'nx-steps';",
      "export default pipeline({ name: 's' });",
      'export const up = step(() => 1);',
      `export const ${n} = step(() => 2);`,
      `export const after = step({ needs: { x: ${n} } }, ({ x }) => x);`,
      '',
    ].join('\n'),
    'e/e.pipeline.ts': [
      "import { pipeline, step } from 'nx-steps';",
      'const inner = step(() => 3);',
      'export const other = step(() => 4);',
      `export { inner as ${n} };`,
      '',
    ].join('\n'),
    'n/n.pipeline.ts': [
      "import { pipeline, step } from 'nx-steps';",
      `export default pipeline({ name: '${n}' });`,
      'export const one = step(() => 1);',
      '',
    ].join('\n'),
  };
}

/** Line and column (1-based) of the first `needle` after `after` in a file's text. */
function position(text: string, needle: string, after = ''): { line: number; column: number } {
  const at = text.indexOf(needle, after ? text.indexOf(after) : 0);
  const before = text.slice(0, at).split('\n');
  return { line: before.length, column: (before.at(-1) ?? '').length + 1 };
}

function errorsOf(project: ProjectModel, name: string): readonly Diagnostic[] {
  return project.steps.find((s) => s.name === name)?.errors ?? [];
}

/** The module the engine runs for project a: what the pipeline file computes, each input read by its name. */
function moduleOfA(n: string): Record<string, unknown> {
  const read = (input: Record<string, unknown>): unknown => {
    expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
    return input[n];
  };
  return {
    up: step(() => 4),
    needs_it: step((input: Record<string, unknown>) => read(input)),
    param_it: step((input: Record<string, unknown>, ctx) => {
      ctx.metric(n, 1);
      return read(input);
    }),
    arg_it: step((input: Record<string, unknown>) => path.basename(read(input) as string)),
    each_it: step((input: Record<string, unknown>) => read(input)),
    fan: step((input: { item?: string }) => input.item ?? null),
    gather: step((input: { all?: Record<string, unknown> }) => Object.keys(input.all ?? {})),
  };
}

const quiet: RunLog = { note: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

async function run(root: string, project: ProjectModel, name: string, mod: Record<string, unknown>, overrides: Record<string, unknown> = {}): Promise<unknown> {
  const services = createServices(root);
  const outcome = await runStep(
    { workspaceRoot: root, project: project.displayName, projectRoot: project.root, step: name, pipelineFiles: project.pipelineFiles, overrides },
    { services, log: quiet, importModule: async () => mod, runTime: 0, env: {} },
  );
  services.flush();
  if (!outcome.ok) throw new Error(`${name}: ${outcome.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')}`);
  const read = readResult(path.join(root, project.root, '.nx-steps/out', name));
  if (!read.ok) throw new Error(read.detail);
  const value = read.value();
  if (!value.ok) throw new Error(value.error.message);
  return value.value;
}

describe.each(NAMES)('the name %s', (n) => {
  const nxForbids = OBJECT_PROTOTYPE_NAMES.has(n);
  const notAKey = n === '__proto__';

  it('as a helper export, a declaration, a need, a param, an argument, a fan-out input and item, a metric: runs, or a located diagnostic', async () => {
    const root = tempDir('nxs-names-');
    const files = sources(n);
    writeTree(root, files);
    const services = createServices(root);
    const model = loadWorkspaceModel(services, FILES);
    const a = model.projects.find((p) => p.root === 'a') as ProjectModel;
    // The code of every step is analysed: the helper's export and the local declaration of that name.
    const pass = fingerprintWorkspace(services, model, { now: 0, env: {} });
    expect(pass.warnings).toEqual([]);
    const code = new KeyBuilder(services, 0).code(a, a.steps.find((s) => s.name === 'up') as never);
    expect(Object.keys(code?.files ?? {}).sort()).toEqual(['a/a.pipeline.ts', 'lib/h.ts']);
    services.flush();

    const config = projectConfiguration(a);
    expect(Object.getPrototypeOf(config.targets)).toBe(Object.prototype);
    const text = files['a/a.pipeline.ts'] as string;
    const keyed = ['needs_it', 'param_it', 'arg_it', 'each_it'];
    if (notAKey) {
      for (const s of keyed) {
        const [d] = errorsOf(a, s);
        expect(d?.message).toMatch(/__proto__/);
        expect(d?.location).toMatchObject({ file: 'a/a.pipeline.ts', ...position(text, '__proto__:', `const ${s} `) });
      }
    } else {
      for (const s of keyed) expect(errorsOf(a, s)).toEqual([]);
    }
    expect(await run(root, a, 'up', moduleOfA(n))).toBe(4);
    if (!notAKey) {
      expect(await run(root, a, 'needs_it', moduleOfA(n))).toBe(4);
      expect(await run(root, a, 'param_it', moduleOfA(n))).toBe(3);
      expect(await run(root, a, 'param_it', moduleOfA(n), { [n]: 5 })).toBe(5);
      const meta = readStepMeta(root, 'a', 'param_it');
      expect(Object.keys(readMetrics(root, meta?.fingerprint.digest ?? '') ?? {})).toEqual([n]);
      expect(await run(root, a, 'arg_it', moduleOfA(n))).toBe('data.txt');
      const [item] = a.fanOuts['each_it']?.items ?? [];
      expect(await run(root, a, item?.target ?? 'each_it.1', moduleOfA(n))).toBe(1);
    }
    for (const item of a.fanOuts['fan']?.items ?? []) await run(root, a, item.target, moduleOfA(n));
    expect(await run(root, a, 'gather', moduleOfA(n))).toEqual([n, 'b']);
  });

  it(`as a step, a need on it and an export: ${nxForbids ? 'a located diagnostic, and no target Nx cannot run' : 'a target that runs'}`, async () => {
    const root = tempDir('nxs-names-');
    const files = sources(n);
    writeTree(root, files);
    const services = createServices(root);
    const model = loadWorkspaceModel(services, FILES);
    services.flush();
    const s = model.projects.find((p) => p.root === 's') as ProjectModel;
    const e = model.projects.find((p) => p.root === 'e') as ProjectModel;
    const targets = Object.keys(projectConfiguration(s).targets ?? {}).sort();
    expect(errorsOf(s, 'up')).toEqual([]);
    expect(await run(root, s, 'up', { up: step(() => 1) })).toBe(1);
    if (nxForbids) {
      expect(targets).toEqual(['after', 'up']);
      expect(errorsOf(s, n)[0]).toMatchObject({
        code: 'NXS108',
        location: { file: 's/s.pipeline.ts', ...position(files['s/s.pipeline.ts'] as string, n, 'export const up') },
      });
      expect(errorsOf(s, 'after')[0]).toMatchObject({
        code: 'NXS108',
        location: { file: 's/s.pipeline.ts', ...position(files['s/s.pipeline.ts'] as string, n, 'export const after') },
      });
      expect(errorsOf(e, n)[0]).toMatchObject({ code: 'NXS108', location: { file: 'e/e.pipeline.ts' } });
      expect(Object.keys(projectConfiguration(e).targets ?? {})).toEqual(['other']);
    } else {
      expect(targets).toEqual(['after', n, 'up'].sort());
      const mod = { up: step(() => 1), [n]: step(() => 2), after: step((input: { x?: number }) => input.x ?? null) };
      expect(await run(root, s, n, mod)).toBe(2);
      expect(await run(root, s, 'after', mod)).toBe(2);
      expect(errorsOf(e, n)).toEqual([]);
    }
    expect(errorsOf(e, 'other')).toEqual([]);
  });

  it(`as a pipeline's name: ${nxForbids ? 'another name, with a located warning' : 'the project name'}`, () => {
    const root = tempDir('nxs-names-');
    writeTree(root, sources(n));
    const services = createServices(root);
    const model = loadWorkspaceModel(services, FILES);
    services.flush();
    const project = model.projects.find((p) => p.root === 'n') as ProjectModel;
    if (!/^[A-Za-z0-9]/.test(n)) {
      // Not a name Nx accepts for a project at all (it starts with `_`): the folder's name instead.
      expect(project.name).toBe('n');
      expect(project.diagnostics[0]).toMatchObject({ code: 'NXS102', location: { file: 'n/n.pipeline.ts', line: 2 } });
    } else if (nxForbids) {
      expect(project.name).not.toBe(n);
      expect(OBJECT_PROTOTYPE_NAMES.has(project.name ?? '')).toBe(false);
      expect(project.diagnostics.find((d) => d.message.includes(n))).toMatchObject({
        code: 'NXS112',
        severity: 'warning',
        location: { file: 'n/n.pipeline.ts', line: 2 },
      });
    } else {
      expect(project.name).toBe(n);
    }
    expect(project.steps.map((s) => [s.name, s.errors])).toEqual([['one', []]]);
  });
});

describe('a folder named like a property of Object.prototype', () => {
  it('gives its project another name', () => {
    const root = tempDir('nxs-names-');
    writeTree(root, { 'constructor/x.pipeline.ts': "import { step } from 'nx-steps';\nexport const one = step(() => 1);\n" });
    const services = createServices(root);
    const model = loadWorkspaceModel(services, ['constructor/x.pipeline.ts']);
    services.flush();
    expect(model.projects.map((p) => p.name)).toEqual(['constructor-pipeline']);
    expect(fs.existsSync(path.join(root, 'constructor/x.pipeline.ts'))).toBe(true);
  });
});
