/**
 * What a run record keeps of a step for the experiments view: the params its
 * result was made with and the metrics the run that made it reported (both
 * kept on this machine: param-values.ts, metrics.ts), and its item.
 */
import type { Json } from '../../api/json';
import type { StepMeta } from '../outputs/store';
import { readMetrics } from './metrics';
import { readParamValues } from './param-values';

export interface ExperimentFields {
  readonly params?: Readonly<Record<string, Json>>;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly item?: string;
}

export function experimentOf(workspaceRoot: string, meta: StepMeta): ExperimentFields {
  const record = meta.fingerprint.record;
  const params = readParamValues(workspaceRoot, meta.fingerprint.digest);
  const metrics = readMetrics(workspaceRoot, meta.fingerprint.digest);
  return {
    ...(params && Object.keys(params).length ? { params } : {}),
    ...(metrics && Object.keys(metrics).length ? { metrics } : {}),
    ...(record.item ? { item: record.item.key } : {}),
  };
}
