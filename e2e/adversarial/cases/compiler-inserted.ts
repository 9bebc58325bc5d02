/**
 * Calls the compiler inserts (issue 22): code the source does not name but
 * tsx (esbuild) emits calls of. JSX factories and fragments (pragmas,
 * tsconfig `jsxFactory`/`jsxFragmentFactory`, a local `React`), the
 * automatic runtime (`<source>/jsx-runtime`, imported when the module loads,
 * from a relative source or through tsconfig `paths`), decorators, `using`
 * (the object's `Symbol.dispose`), class fields assigned through an inherited
 * setter (`useDefineForClassFields: false`), merged enums and namespaces.
 * `emitDecoratorMetadata` is the one tsx does not emit (esbuild has no
 * support for it): the case says so by changing nothing. docs/hashing.md
 * lists each with its verdict.
 */
import type { AdversarialCase, FileSpec } from '../harness';
import { pipelineFile } from '../harness';

const C = 'compiler-inserted calls';

const H =
  "export function h(tag: unknown, props: unknown, ...kids: unknown[]) {\n  return { tag, props, kids, by: 'h1' };\n}\nexport function g(tag: unknown) {\n  return { tag, by: 'g' };\n}\nexport const Frag = 'frag1';\n";

/** A step that renders `view.tsx`. */
function viewCase(
  id: string,
  title: string,
  files: Record<string, FileSpec>,
  edit: AdversarialCase['edit'],
  more: Partial<AdversarialCase> = {},
): AdversarialCase {
  return {
    id,
    category: C,
    title,
    files: { 'main.pipeline.ts': pipelineFile(id, { imports: "import { render } from './view';", steps: { subject: 'return render();' } }), ...files },
    edit,
    changes: true,
    ...more,
  };
}

const tsconfig = (compilerOptions: Record<string, unknown>) => JSON.stringify({ compilerOptions: { target: 'ES2022', ...compilerOptions } }, null, 2);

export const COMPILER_INSERTED_CASES: readonly AdversarialCase[] = [
  viewCase(
    'ci-jsx-pragma-factory',
    'a JSX factory named by a /** @jsx h */ pragma, edited',
    { 'view.tsx': '/** @jsx h */\nimport { h } from \'./h\';\nexport function render() {\n  return JSON.stringify(<div a="1">x</div>);\n}\n', 'h.ts': H },
    { 'h.ts': ["by: 'h1'", "by: 'h2'"] },
    { smoke: true },
  ),
  viewCase(
    'ci-jsx-pragma-switched',
    'the pragma switched to another factory (@jsx h → @jsx g): only a comment changed',
    { 'view.tsx': "/** @jsx h */\nimport { g, h } from './h';\nvoid g;\nexport function render() {\n  return JSON.stringify(<div />);\n}\n", 'h.ts': H },
    { 'view.tsx': ['@jsx h', '@jsx g'] },
  ),
  viewCase(
    'ci-jsx-fragment-pragma',
    'a fragment named by @jsxFrag, edited',
    {
      'view.tsx': "/** @jsx h */\n/** @jsxFrag Frag */\nimport { Frag, h } from './h';\nexport function render() {\n  return JSON.stringify(<>x</>);\n}\n",
      'h.ts': H,
    },
    { 'h.ts': ["'frag1'", "'frag2'"] },
  ),
  viewCase(
    'ci-jsx-local-react',
    'classic JSX with a local module imported as React (React.createElement), its createElement edited',
    {
      'view.tsx': "import * as React from './my-react';\nexport function render() {\n  return JSON.stringify(<div />);\n}\n",
      'my-react.ts':
        "export function createElement(tag: unknown) {\n  return { tag, by: 'r1' };\n}\nexport const Fragment = 'F';\nexport function unused() {\n  return 'u1';\n}\n",
    },
    { 'my-react.ts': ["by: 'r1'", "by: 'r2'"] },
    { smoke: true },
  ),
  viewCase(
    'ci-jsx-local-react-unused',
    'the same local React: a function JSX never calls edited',
    {
      'view.tsx': "import * as React from './my-react';\nexport function render() {\n  return JSON.stringify(<div />);\n}\n",
      'my-react.ts':
        "export function createElement(tag: unknown) {\n  return { tag, by: 'r1' };\n}\nexport const Fragment = 'F';\nexport function unused() {\n  return 'u1';\n}\n",
    },
    { 'my-react.ts': ["'u1'", "'u2'"] },
    { changes: false, precise: true },
  ),
  viewCase(
    'ci-jsx-automatic-relative-source',
    'the automatic runtime from a relative import source (@jsxImportSource ./rt), its jsx edited',
    {
      'view.tsx': '/** @jsxRuntime automatic */\n/** @jsxImportSource ./rt */\nexport function render() {\n  return JSON.stringify(<div a="1" />);\n}\n',
      'rt/jsx-runtime.ts':
        "export function jsx(tag: unknown, props: unknown) {\n  return { tag, props, by: 'j1' };\n}\nexport const jsxs = jsx;\nexport const Fragment = 'F';\n",
    },
    { 'rt/jsx-runtime.ts': ["by: 'j1'", "by: 'j2'"] },
  ),
  viewCase(
    'ci-jsx-automatic-load-effect',
    'JSX in a function nothing calls still imports the automatic runtime when the module loads: its load-time effect edited',
    {
      'view.tsx':
        '/** @jsxRuntime automatic */\n/** @jsxImportSource ./rt */\nexport function unusedView() {\n  return <div />;\n}\nexport function render() {\n  return (globalThis as { rt?: string }).rt;\n}\n',
      'rt/jsx-runtime.ts':
        "(globalThis as { rt?: string }).rt = 'loaded1';\nexport function jsx(tag: unknown) {\n  return { tag };\n}\nexport const jsxs = jsx;\nexport const Fragment = 'F';\n",
    },
    { 'rt/jsx-runtime.ts': ["'loaded1'", "'loaded2'"] },
  ),
  viewCase(
    'ci-jsx-tsconfig-factory',
    'the factory set by tsconfig jsxFactory, edited',
    {
      'tsconfig.json': tsconfig({ jsx: 'react', jsxFactory: 'h' }),
      'view.tsx': "import { h } from './h';\nexport function render() {\n  return JSON.stringify(<div />);\n}\n",
      'h.ts': H,
    },
    { 'h.ts': ["by: 'h1'", "by: 'h2'"] },
  ),
  viewCase(
    'ci-jsx-tsconfig-automatic-paths',
    'the automatic runtime from a tsconfig jsxImportSource mapped by paths to a local folder, edited',
    {
      'tsconfig.json': tsconfig({ jsx: 'react-jsx', jsxImportSource: '@ui', paths: { '@ui/*': ['./ui/*'] } }),
      'view.tsx': 'export function render() {\n  return JSON.stringify(<div />);\n}\n',
      'ui/jsx-runtime/index.ts':
        "export function jsx(tag: unknown) {\n  return { tag, by: 'u1' };\n}\nexport const jsxs = jsx;\nexport const Fragment = 'F';\n",
    },
    { 'ui/jsx-runtime/index.ts': ["by: 'u1'", "by: 'u2'"] },
  ),
  {
    id: 'ci-decorator-in-helper',
    category: C,
    title: 'a decorator on a method of a class inside a helper (esbuild lowers it to a call), edited',
    files: {
      'main.pipeline.ts': pipelineFile('ci-decorator-in-helper', { imports: "import { run } from './run';", steps: { subject: 'return run();' } }),
      'run.ts':
        "import { wrap } from './deco';\nexport function run() {\n  class Job {\n    @wrap\n    go() {\n      return 'go';\n    }\n  }\n  return new Job().go();\n}\n",
      'deco.ts':
        'export function wrap(fn: (...a: unknown[]) => unknown, _ctx: unknown) {\n  return function (this: unknown, ...a: unknown[]) {\n    return `w1:${String(fn.apply(this, a))}`;\n  };\n}\n',
    },
    edit: { 'deco.ts': ['`w1:', '`w2:'] },
    changes: true,
  },
  {
    id: 'ci-using-dispose',
    category: C,
    title: '`using`: the disposer of the object it holds, edited (called when the block ends)',
    files: {
      'main.pipeline.ts': pipelineFile('ci-using-dispose', { imports: "import { run } from './run';", steps: { subject: 'return run();' } }),
      'run.ts':
        "import { open } from './res';\nexport function run() {\n  const log: string[] = [];\n  {\n    using r = open(log);\n    log.push('use');\n    void r;\n  }\n  return log.join();\n}\n",
      'res.ts': "export function open(log: string[]) {\n  return {\n    [Symbol.dispose]() {\n      log.push('d1');\n    },\n  };\n}\n",
    },
    edit: { 'res.ts': ["'d1'", "'d2'"] },
    changes: true,
  },
  {
    id: 'ci-class-field-setter',
    category: C,
    title: 'useDefineForClassFields off: a class field assigned through the setter of its base class, the setter edited',
    files: {
      'tsconfig.json': tsconfig({ useDefineForClassFields: false }),
      'main.pipeline.ts': pipelineFile('ci-class-field-setter', {
        imports: "import { Derived } from './derived';",
        steps: { subject: 'return new Derived().seen;' },
      }),
      'base.ts': "export class Base {\n  seen = '';\n  set label(v: string) {\n    this.seen = `s1:${v}`;\n  }\n}\n",
      'derived.ts': "import { Base } from './base';\nexport class Derived extends Base {\n  label = 'x';\n}\n",
    },
    edit: { 'base.ts': ['`s1:', '`s2:'] },
    changes: true,
  },
  {
    id: 'ci-decorator-metadata-not-emitted',
    category: C,
    title: 'emitDecoratorMetadata: tsx emits no design:type, so a class named only in a decorated property type changes nothing',
    files: {
      'tsconfig.json': tsconfig({ experimentalDecorators: true, emitDecoratorMetadata: true }),
      'main.pipeline.ts': pipelineFile('ci-decorator-metadata-not-emitted', {
        imports: "import { seen } from './model';",
        steps: { subject: 'return seen();' },
      }),
      'model.ts':
        "import { Thing } from './thing';\nconst types: string[] = [];\n(Reflect as unknown as { metadata: unknown }).metadata = (k: string, v: { tag?: string }) => () => void types.push(`${k}=${String(v?.tag)}`);\nfunction prop(_t: object, _k: string) {}\nclass Holder {\n  @prop\n  thing!: Thing;\n}\nvoid Holder;\nexport function seen() {\n  return types.join() || 'none';\n}\n",
      'thing.ts': "export class Thing {\n  static tag = 't1';\n}\n",
    },
    edit: { 'thing.ts': ["'t1'", "'t2'"] },
    changes: false,
    precise: true,
  },
  {
    id: 'ci-enum-namespace-merged',
    category: C,
    title: 'an enum merged with a namespace of functions: the namespace half edited',
    files: {
      'main.pipeline.ts': pipelineFile('ci-enum-namespace-merged', {
        imports: "import { Color } from './color';",
        steps: { subject: 'return Color.label(Color.Red);' },
      }),
      'color.ts': 'export enum Color {\n  Red = 1,\n}\nexport namespace Color {\n  export function label(c: Color) {\n    return `n1:${c}`;\n  }\n}\n',
    },
    edit: { 'color.ts': ['`n1:', '`n2:'] },
    changes: true,
  },
];
