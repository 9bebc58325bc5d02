/**
 * The chained pipeline of workloads 1 and 2 of issue 9, and its controls.
 *
 * nx-steps: step s1 reads a small data file; each later step needs the one
 * before and adds 1 to its result. Control: the same chain as plain Nx
 * targets (`nx:run-commands` running `node step.js <i>`), each reading its
 * upstream's result file and writing its own, cached, with the same files as
 * inputs (the code, and the data file for the first).
 *
 * The plain chain is what Nx offers without nx-steps, but it is not correct:
 * Nx does not put an upstream task's hash into its downstream tasks' hashes,
 * so after an upstream change its downstream targets hit stale entries.
 * `chainedByOutput` adds what makes it correct, the `dependentTasksOutputFiles`
 * input nx-steps uses too: that variant is Nx's own floor for a correct chain.
 */
import { EMPTY_PLUGIN, EMPTY_PLUGIN_NAME, nxJsonWithPlugins } from './nx';

const CHAIN_PROJECT = 'chain';
const DATA_FILE = 'a,b\n1,2\n3,4\n';

/** The pipeline file of an n-step chain. */
function chainPipeline(n: number): string {
  const lines = [
    "import { readFile } from 'node:fs/promises';",
    "import { file, pipeline, step } from 'nx-steps';",
    '',
    `export default pipeline({ name: '${CHAIN_PROJECT}' });`,
    '',
    "export const s1 = step({ args: { input: file('data/input.csv') } }, async ({ input }) => (await readFile(input, 'utf8')).length);",
  ];
  for (let i = 2; i <= n; i++) lines.push(`export const s${i} = step({ needs: { prev: s${i - 1} } }, ({ prev }) => prev + 1);`);
  return `${lines.join('\n')}\n`;
}

export function chainFiles(n: number): Record<string, string> {
  return { [`${CHAIN_PROJECT}/${CHAIN_PROJECT}.pipeline.ts`]: chainPipeline(n), [`${CHAIN_PROJECT}/data/input.csv`]: DATA_FILE };
}

// One script for every target: what a team writes to chain node scripts by hand.
const STEP_SCRIPT = `const fs = require('node:fs');
const i = Number(process.argv[2]);
const prev = i === 1 ? fs.readFileSync('data/input.csv', 'utf8').length : JSON.parse(fs.readFileSync('out/t' + (i - 1) + '/result.json', 'utf8'));
fs.mkdirSync('out/t' + i, { recursive: true });
fs.writeFileSync('out/t' + i + '/result.json', JSON.stringify(prev + 1));
`;

/**
 * The same work as step.js, as an executor of a package: Nx runs every task
 * of such an executor in a process of its own (its run-executor), as it does
 * for nx-steps' executor without --batch. What that costs per task is Nx's
 * floor for any executor that is not nx:run-commands.
 */
const EXECUTOR_PACKAGE = 'nxs-bench-executor';
const EXECUTOR_FILES: Readonly<Record<string, string>> = {
  [`node_modules/${EXECUTOR_PACKAGE}/package.json`]: `${JSON.stringify({ name: EXECUTOR_PACKAGE, version: '0.0.0', executors: './executors.json' })}\n`,
  [`node_modules/${EXECUTOR_PACKAGE}/executors.json`]: `${JSON.stringify({ executors: { step: { implementation: './step.js', schema: './schema.json', description: 'one chain step' } } })}\n`,
  [`node_modules/${EXECUTOR_PACKAGE}/schema.json`]: `${JSON.stringify({ type: 'object', properties: { index: { type: 'number' } }, required: ['index'] })}\n`,
  [`node_modules/${EXECUTOR_PACKAGE}/step.js`]: `const fs = require('node:fs');
const path = require('node:path');
module.exports = async function step({ index: i }, context) {
  const dir = path.join(context.root, '${CHAIN_PROJECT}');
  const prev = i === 1 ? fs.readFileSync(path.join(dir, 'data/input.csv'), 'utf8').length : JSON.parse(fs.readFileSync(path.join(dir, 'out/t' + (i - 1) + '/result.json'), 'utf8'));
  fs.mkdirSync(path.join(dir, 'out/t' + i), { recursive: true });
  fs.writeFileSync(path.join(dir, 'out/t' + i + '/result.json'), JSON.stringify(prev + 1));
  return { success: true };
};
`,
};

interface ControlChainOptions {
  /** Hash each target's upstream result file into it (correct chaining, as nx-steps does). */
  readonly chainedByOutput?: boolean;
  /** Register a plugin that does nothing (see EMPTY_PLUGIN). */
  readonly emptyPlugin?: boolean;
  /** Run each step through an executor package (a process per task) instead of nx:run-commands. */
  readonly executorPackage?: boolean;
}

/** Targets t1..tn in a project.json. */
export function controlChainFiles(n: number, opts: ControlChainOptions = {}): Record<string, string> {
  const targets: Record<string, unknown> = {};
  for (let i = 1; i <= n; i++) {
    targets[`t${i}`] = {
      ...(opts.executorPackage
        ? { executor: `${EXECUTOR_PACKAGE}:step`, options: { index: i } }
        : { executor: 'nx:run-commands', options: { command: `node step.js ${i}`, cwd: CHAIN_PROJECT } }),
      cache: true,
      inputs: [
        '{projectRoot}/step.js',
        ...(i === 1 ? ['{projectRoot}/data/input.csv'] : []),
        ...(opts.chainedByOutput && i > 1 ? [{ dependentTasksOutputFiles: '**/out/*/result.json', transitive: false }] : []),
        { externalDependencies: [] },
      ],
      outputs: [`{projectRoot}/out/t${i}`],
      dependsOn: i > 1 ? [`t${i - 1}`] : [],
    };
  }
  return {
    [`${CHAIN_PROJECT}/project.json`]: `${JSON.stringify({ name: CHAIN_PROJECT, root: CHAIN_PROJECT, targets }, null, 2)}\n`,
    [`${CHAIN_PROJECT}/step.js`]: STEP_SCRIPT,
    [`${CHAIN_PROJECT}/data/input.csv`]: DATA_FILE,
    'nx.json': nxJsonWithPlugins(opts.emptyPlugin ? [EMPTY_PLUGIN_NAME] : []),
    ...(opts.emptyPlugin ? EMPTY_PLUGIN : {}),
    ...(opts.executorPackage ? EXECUTOR_FILES : {}),
  };
}

/** The folders the chain's results are written to, to remove before an uncached run. */
export const CHAIN_OUTPUTS = { steps: `${CHAIN_PROJECT}/.nx-steps`, control: `${CHAIN_PROJECT}/out` } as const;
