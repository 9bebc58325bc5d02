/**
 * `each: { name: source }` read statically: the items a fan-out step runs
 * over. A source is a literal list (`[0.01, 0.05, 0.1]`, or a top-level
 * const holding one), `range(start, end[, step])` with literal integers, or
 * `dir(path, { include, exclude })`, whose files are listed when the graph
 * is built (analyze.ts): nothing of the user's runs to find the items.
 */
import type { Json } from '../../api/json';
import { DiagnosticCodes } from '../diagnostics';
import type { EachDeclaration } from '../model/declarations';
import type { TS } from '../util/typescript';
import type { FileReader } from './file-reader';
import { readPathArg } from './read-step';

/** More items than this is a mistake (a range with a wrong bound), not a sweep: one target each would swamp Nx. */
export const MAX_ITEMS = 10_000;

const HINT = "Write each: { scenario: range(1, 501) }, each: { lr: [0.01, 0.05, 0.1] } or each: { file: dir('data/scenarios') }.";

export function readEach(r: FileReader, expr: TS.Expression, step: string): EachDeclaration | undefined {
  const obj = r.objectLiteral(expr);
  if (!obj) {
    r.report(DiagnosticCodes.notStatic, expr, '`each` must be an object literal naming the item.', HINT, step);
    return undefined;
  }
  const entries = r.properties(obj, '`each`', step);
  const [entry] = entries;
  if (!entry || entries.length > 1) {
    r.report(
      DiagnosticCodes.badFanOut,
      obj,
      `\`each\` names exactly one item input; found ${entries.length}.`,
      `${HINT} To cross two lists, give the step one list of combinations: each: { run: [{ lr: 0.1, seed: 1 }, ...] }.`,
      step,
    );
    return undefined;
  }
  const { key, value } = entry;
  const loc = r.loc(value);
  const api = r.apiCall(value);
  if (api?.name === 'dir') {
    const arg = readPathArg(r, 'dir', api.call, step, key);
    if (!arg || arg.kind !== 'dir') return undefined;
    return { input: key, source: { kind: 'dir', path: arg.path, external: arg.external, include: arg.include, exclude: arg.exclude }, loc };
  }
  if (api?.name === 'file') {
    r.report(
      DiagnosticCodes.badFanOut,
      value,
      '`each` over file(...) is one item: a fan-out runs over the files of a folder.',
      `Write each: { ${key}: dir('folder', { include: ['*.json'] }) }, or make the file an argument.`,
      step,
    );
    return undefined;
  }
  const values = api?.name === 'range' ? readRange(r, api.call, step) : readList(r, value, key, step);
  if (!values) return undefined;
  if (values.length > MAX_ITEMS) {
    r.report(
      DiagnosticCodes.badFanOut,
      value,
      `\`each.${key}\` has ${values.length} items; a fan-out has at most ${MAX_ITEMS} (one Nx target each).`,
      'Split the work into fewer, larger items (each item a batch of scenarios).',
      step,
    );
    return undefined;
  }
  if (values.length === 0) {
    r.warn(DiagnosticCodes.badFanOut, value, `\`each.${key}\` has no items: the step runs for none, and a step that needs it receives {}.`, HINT, step);
  }
  return { input: key, source: { kind: 'values', values }, loc };
}

function readList(r: FileReader, value: TS.Expression, key: string, step: string): Json[] | undefined {
  const v = r.staticJson(value, `\`each.${key}\``, step);
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) {
    r.report(
      DiagnosticCodes.badFanOut,
      value,
      `\`each.${key}\` must be a list of items, range(...) or dir(...); found ${v === null ? 'null' : typeof v}.`,
      HINT,
      step,
    );
    return undefined;
  }
  return v as Json[];
}

function readRange(r: FileReader, call: TS.CallExpression, step: string): number[] | undefined {
  const args = call.arguments;
  if (args.length < 2 || args.length > 3) {
    r.report(
      DiagnosticCodes.badFanOut,
      call,
      `range(start, end[, step]) takes 2 or 3 arguments; found ${args.length}.`,
      'Write range(1, 501) for 1..500.',
      step,
    );
    return undefined;
  }
  const names = ['start', 'end', 'step'];
  const nums: number[] = [];
  for (const [i, a] of args.entries()) {
    const v = r.staticJson(a, `The ${names[i]} of range(...)`, step);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      r.report(
        DiagnosticCodes.badFanOut,
        a,
        `The ${names[i]} of range(...) must be an integer; found ${JSON.stringify(v)}.`,
        'For other values, list them: each: { lr: [0.01, 0.05, 0.1] }.',
        step,
      );
      return undefined;
    }
    nums.push(v);
  }
  const [start, end, by = 1] = nums as [number, number, number?];
  if (by === 0) {
    r.report(DiagnosticCodes.badFanOut, args[2] as TS.Node, 'The step of range(...) cannot be 0.', 'Write range(0, 10, 2) for 0, 2, 4, 6, 8.', step);
    return undefined;
  }
  const count = Math.max(0, Math.ceil((end - start) / by));
  if (count > MAX_ITEMS) {
    // Reported before building the list: range(0, 1e9) must not build a billion numbers.
    r.report(
      DiagnosticCodes.badFanOut,
      call,
      `range(${start}, ${end}${by === 1 ? '' : `, ${by}`}) has ${count} items; a fan-out has at most ${MAX_ITEMS} (one Nx target each).`,
      'Split the work into fewer, larger items (each item a batch of scenarios).',
      step,
    );
    return undefined;
  }
  return Array.from({ length: count }, (_, i) => start + i * by);
}
