/**
 * A 12-step pipeline with fan-out (features → two trainings; ingest_a → two
 * steps), fan-in (merge, evaluate, report) and edges that skip layers
 * (merge → evaluate, ingest_a → report): the DAG the report's layout is
 * checked against, in unit tests and by screenshot in Chromium (e2e).
 */
export const TWELVE_STEPS = [
  { name: 'ingest_a', needs: [] },
  { name: 'ingest_b', needs: [] },
  { name: 'ingest_c', needs: [] },
  { name: 'validate_a', needs: ['ingest_a'] },
  { name: 'validate_b', needs: ['ingest_b'] },
  { name: 'validate_c', needs: ['ingest_c'] },
  { name: 'merge', needs: ['validate_a', 'validate_b', 'validate_c'] },
  { name: 'features', needs: ['merge'] },
  { name: 'train_small', needs: ['features'] },
  { name: 'train_large', needs: ['features'] },
  { name: 'evaluate', needs: ['train_small', 'train_large', 'merge'] },
  { name: 'report', needs: ['evaluate', 'ingest_a'] },
] as const;
