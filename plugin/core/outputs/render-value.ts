/**
 * A stored result as a person reads it (`nx-steps show`): tables as tables
 * (Arrow, flechette, arquero and polars tables, arrays of rows), tensors
 * by dtype and shape, big arrays and typed arrays
 * summarised (length, first items, min/max/mean), everything else as an
 * indented tree that stops at a depth. Never the whole of a large value.
 */
import { isArrowTable } from './arrow';
import type { ArrowTableLike } from './arrow';
import type { LibrarySummary } from './library-codec';
import { StoredInstance } from './decode';
import { codecFor } from './libraries';

export interface RenderOptions {
  /** Rows shown of a table (default 10). */
  readonly rows?: number;
  /** Items shown of an array, Map or Set (default 8). */
  readonly items?: number;
  /** Containers deeper than this are summarised (default 4). */
  readonly depth?: number;
}

const pad = (n: number) => '  '.repeat(n);
const count = (n: number) => n.toLocaleString('en-US');

export function renderValue(value: unknown, options: RenderOptions = {}): string {
  const o = { rows: options.rows ?? 10, items: options.items ?? 8, depth: options.depth ?? 4 };
  return render(value, 0, o).join('\n');
}

type Opts = Required<RenderOptions>;

function render(v: unknown, level: number, o: Opts): string[] {
  if (v === null || typeof v !== 'object') return [scalar(v)];
  if (isArrowTable(v)) return arrowTable(v, level, o);
  const codec = codecFor(v);
  if (codec) return libraryValue(codec.summary(v, o.rows), level);
  if (v instanceof StoredInstance) return labelled(`${v.typeName} (registered type; its stored data:)`, v.data, level, o);
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return [binary(v)];
  if (v instanceof Date) return [Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString()];
  if (v instanceof RegExp) return [String(v)];
  if (Array.isArray(v)) {
    const rows = rowsTable(v, level, o);
    if (rows) return rows;
    return list(`Array(${count(v.length)})`, v, level, o, (x) => render(x, level + 1, o));
  }
  if (v instanceof Set) return list(`Set(${count(v.size)})`, [...v], level, o, (x) => render(x, level + 1, o));
  if (v instanceof Map) {
    return list(`Map(${count(v.size)})`, [...v], level, o, ([k, x]: [unknown, unknown]) =>
      prefixed(`${render(k, level + 1, o)[0] ?? ''} => `, render(x, level + 1, o)),
    );
  }
  const keys = Object.keys(v);
  if (keys.length === 0) return ['{}'];
  if (level >= o.depth) return [`{ … ${keys.length} key${keys.length === 1 ? '' : 's'} }`];
  const out = ['{'];
  for (const k of keys)
    out.push(
      ...prefixed(`${pad(level + 1)}${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: `, render((v as Record<string, unknown>)[k], level + 1, o)),
    );
  out.push(`${pad(level)}}`);
  return out;
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 200 ? `${v.slice(0, 200)}…` : v) + (v.length > 200 ? ` (${count(v.length)} characters)` : '');
  if (typeof v === 'bigint') return `${v}n`;
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

function prefixed(prefix: string, lines: string[]): string[] {
  return lines.length ? [`${prefix}${lines[0]}`, ...lines.slice(1)] : [prefix];
}

function labelled(label: string, data: unknown, level: number, o: Opts): string[] {
  return prefixed(`${label} `, render(data, level, o));
}

function list<T>(label: string, items: readonly T[], level: number, o: Opts, one: (x: T) => string[]): string[] {
  if (items.length === 0) return [`${label} []`];
  if (level >= o.depth) return [`${label} […]`];
  const shown = items.slice(0, o.items).map((x) => one(x));
  if (shown.every((l) => l.length === 1) && shown.reduce((n, l) => n + (l[0]?.length ?? 0), 0) < 100) {
    return [`${label} [${shown.map((l) => l[0]).join(', ')}${items.length > o.items ? `, … ${count(items.length - o.items)} more` : ''}]`];
  }
  const out = [`${label} [`];
  for (const l of shown) out.push(...prefixed(pad(level + 1), l));
  if (items.length > o.items) out.push(`${pad(level + 1)}… ${count(items.length - o.items)} more`);
  out.push(`${pad(level)}]`);
  return out;
}

function binary(v: ArrayBufferView | ArrayBuffer): string {
  const name = v instanceof ArrayBuffer ? 'ArrayBuffer' : Buffer.isBuffer(v) ? 'Buffer' : v.constructor.name;
  if (v instanceof ArrayBuffer || v instanceof DataView || Buffer.isBuffer(v) || v instanceof Uint8Array) {
    const bytes = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    const hex = Buffer.from(bytes.subarray(0, 16)).toString('hex').replace(/(..)/g, '$1 ').trim();
    return `${name}(${count(bytes.byteLength)} bytes) <${hex}${bytes.byteLength > 16 ? ' …' : ''}>`;
  }
  const arr = v as unknown as ArrayLike<number | bigint>;
  const first = Array.from({ length: Math.min(6, arr.length) }, (_, i) => scalar(arr[i]));
  let stats = '';
  if (arr.length > 0 && typeof arr[0] === 'number') {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (let i = 0; i < arr.length; i++) {
      const x = arr[i] as number;
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
    }
    stats = `  min ${fmt(min)}, max ${fmt(max)}, mean ${fmt(sum / arr.length)}`;
  }
  return `${name}(${count(arr.length)}) [${first.join(', ')}${arr.length > 6 ? ', …' : ''}]${stats}`;
}

const fmt = (x: number) => (Number.isInteger(x) || !Number.isFinite(x) ? String(x) : String(Number(x.toPrecision(7))));

/** Arrays of plain objects with the same keys: a table. */
function rowsTable(v: readonly unknown[], level: number, o: Opts): string[] | undefined {
  if (v.length < 2) return undefined;
  const first = v[0];
  if (first === null || typeof first !== 'object' || Object.getPrototypeOf(first) !== Object.prototype) return undefined;
  const columns = Object.keys(first);
  if (columns.length === 0 || columns.length > 12) return undefined;
  const sample = v.slice(0, o.rows);
  if (!sample.every((r) => r !== null && typeof r === 'object' && Object.keys(r).join('\u0000') === columns.join('\u0000'))) return undefined;
  const cells = sample.map((r) => columns.map((c) => cell((r as Record<string, unknown>)[c])));
  return [`Array(${count(v.length)}) of rows`, ...grid(columns, cells, v.length, level)];
}

function arrowTable(t: ArrowTableLike, level: number, o: Opts): string[] {
  const table = t as unknown as { schema: { fields: Array<{ name: string; type: unknown }> }; get(i: number): { toJSON(): Record<string, unknown> } | null };
  const fields = table.schema.fields;
  const header = `Arrow Table: ${count(t.numRows)} rows × ${t.numCols} columns (${fields.map((f) => `${f.name}: ${String(f.type)}`).join(', ')})`;
  const rows: string[][] = [];
  for (let i = 0; i < Math.min(o.rows, t.numRows); i++) {
    const row = table.get(i)?.toJSON() ?? {};
    rows.push(fields.map((f) => cell(row[f.name])));
  }
  return [
    header,
    ...grid(
      fields.map((f) => f.name),
      rows,
      t.numRows,
      level,
    ),
  ];
}

function libraryValue(s: LibrarySummary, level: number): string[] {
  if (!s.columns || !s.rows) return [s.header];
  const columns = s.columns;
  const rows = s.rows.map((r) => columns.map((c) => cell(r[c])));
  return [s.header, ...grid(columns, rows, s.total ?? rows.length, level)];
}

function cell(x: unknown): string {
  if (x === null || typeof x !== 'object') {
    const s = typeof x === 'string' ? x : typeof x === 'number' ? fmt(x) : scalar(x);
    return s.length > 24 ? `${s.slice(0, 23)}…` : s;
  }
  if (x instanceof Date) return x.toISOString();
  if (Array.isArray(x)) return `[${x.length}]`;
  // A DuckDB value as DuckDB prints it (1.250, 2026-01-02 03:04:05.123456); a table or tensor by what it is.
  const codec = codecFor(x);
  const text = codec?.id === 'duckdb.Value' ? String(x) : codec?.what;
  return text === undefined ? '{…}' : text.length > 24 ? `${text.slice(0, 23)}…` : text;
}

function grid(columns: readonly string[], rows: readonly string[][], total: number, level: number): string[] {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: readonly string[]) => `${pad(level + 1)}${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd();
  const out = [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  if (total > rows.length) out.push(`${pad(level + 1)}… ${count(total - rows.length)} more rows`);
  return out;
}
