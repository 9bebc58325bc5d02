/**
 * The data pipeline of flowyml's caching guide (Example 1), in TypeScript:
 *   load_data   code_hash (default): re-runs when its code or its file change
 *   clean_data  input_hash: re-runs only when the loaded rows change
 *   upload      cache: false: a side effect, runs every time
 *
 * Run a step with its upstream steps: npx nx run etl:upload
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { file, pipeline, step } from 'nx-steps';
import { parseCsv } from './csv';

export default pipeline({ name: 'etl', description: 'Load, clean and upload a CSV file' });

/** Stands in for a slow source (a warehouse query, a large download). */
const slowSource = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const load_data = step(
  { args: { file_path: file('data/raw.csv') }, description: 'Read the raw CSV file' },
  async ({ file_path }, ctx) => {
    await slowSource(1500);
    const rows = parseCsv(await readFile(file_path, 'utf8'));
    ctx.log.info(`loaded ${rows.length} rows`);
    return rows;
  },
);

export const clean_data = step(
  { needs: { raw: load_data }, cache: 'input_hash', description: 'Drop rows without a value' },
  ({ raw }) => raw.filter((row) => row.value !== null),
);

export const upload = step(
  { needs: { clean: clean_data }, params: { table: 'clean' }, cache: false, description: 'Write the clean rows to the database' },
  async ({ clean, table }, ctx) => {
    // The "database" is a folder in the workspace, so the example needs nothing else.
    const db = join(process.cwd(), 'db');
    await mkdir(db, { recursive: true });
    await writeFile(join(db, `${table}.json`), JSON.stringify(clean, null, 2));
    ctx.log.info(`uploaded ${clean.length} rows to table ${table}`);
    return { uploaded: clean.length };
  },
);
