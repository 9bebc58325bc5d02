export interface Row {
  readonly id: number;
  readonly name: string;
  readonly value: number | null;
}

/** A small CSV reader for the example's data (no quoting). */
export function parseCsv(text: string): Row[] {
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const columns = (header ?? '').split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    const get = (name: string) => cells[columns.indexOf(name)] ?? '';
    const value = get('value');
    return { id: Number(get('id')), name: get('name'), value: value === '' ? null : Number(value) };
  });
}
