/**
 * What a run record keeps of a step for the experiments view: the params its
 * result was made with (from step.json, overrides applied), the metrics the
 * run that made it reported (kept on this machine: metrics.ts), and its item.
 */
import type { Json } from '../../api/json';
import type { StepMeta } from '../outputs/store';
import { readMetrics } from './metrics';

export interface ExperimentFields {
  readonly params?: Readonly<Record<string, Json>>;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly item?: string;
}

export function experimentOf(workspaceRoot: string, meta: StepMeta): ExperimentFields {
  const record = meta.fingerprint.record;
  const params = Object.fromEntries(Object.entries(record.params ?? {}).map(([k, p]) => [k, p.value]));
  const metrics = readMetrics(workspaceRoot, meta.fingerprint.digest);
  return {
    ...(Object.keys(params).length ? { params } : {}),
    ...(metrics && Object.keys(metrics).length ? { metrics } : {}),
    ...(record.item ? { item: record.item.key } : {}),
  };
}
