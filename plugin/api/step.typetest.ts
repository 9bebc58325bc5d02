/**
 * Compile-time checks of the declaration API's typing (run by `npm run
 * typecheck`). Each @ts-expect-error must stay an error, so the types cannot
 * silently widen to `any`.
 */
import { file } from './args';
import { secret } from './secret';
import { step } from './step';

interface Row {
  id: number;
  value: number | null;
}

const load_data = step({ args: { file_path: file('data/raw.csv'), limit: 10 } }, async ({ file_path, limit }) => {
  const path: string = file_path;
  const n: number = limit;
  return [{ id: n, value: path.length }] as Row[];
});

const clean_data = step({ needs: { raw: load_data }, cache: 'input_hash' }, ({ raw }) => {
  const rows: Row[] = raw;
  // @ts-expect-error upstream results are typed: Row has no 'missing' field
  void rows[0]?.missing;
  return rows.filter((r) => r.value !== null);
});

export const upload = step({ needs: { clean: clean_data }, params: { table: 'clean' }, cache: false }, async ({ clean, table }, ctx) => {
  const t: string = table;
  const out: string = ctx.outDir;
  // @ts-expect-error params keep their type
  const wrong: number = table;
  void wrong;
  return { uploaded: clean.length, t, out };
});

export const no_options = step(() => 42);

// @ts-expect-error an unknown cache strategy is a type error
step({ cache: 'always' }, () => 1);

// @ts-expect-error a need must be a step
step({ needs: { x: 42 } }, () => 1);

// Results nx-steps stores exactly are accepted, and keep their type.
const rich = step(async () => ({ m: new Map([[1, new Set(['a'])]]), f: new Float64Array(2), at: new Date(), n: 1n, b: Buffer.from('x') }));
export const uses_rich = step({ needs: { r: rich } }, ({ r }) => r.f.length + r.m.size);

// @ts-expect-error a method of a class instance cannot be stored (names result.model.predict)
export const train = step(async () => ({
  model: new (class Forest {
    predict(x: number) {
      return x;
    }
  })(),
}));

// @ts-expect-error a Promise inside the result must be awaited
export const pending = step(() => [Promise.resolve(1)]);

// @ts-expect-error a function cannot be stored
export const fnResult = step({ params: { k: 1 } }, ({ k }) => ({ scale: (x: number) => x * k }));

// A secret param is a string to the step function.
export const send = step({ params: { token: secret(), retries: 2 } }, ({ token, retries }) => {
  const t: string = token;
  // @ts-expect-error a secret is a string, not a number
  const n: number = token;
  return `${t}${n}${retries}`.length;
});
