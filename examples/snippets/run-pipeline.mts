/**
 * The README's runPipeline() example, type-checked with the repository
 * (`npm run typecheck`); run inside a workspace with nx-steps installed:
 * node --import tsx run-pipeline.mts
 */
import { runPipeline } from 'nx-steps/results';   // also importable from 'nx-steps'

const run = await runPipeline('etl');   // options: steps: ['clean_data'], fresh: true, quiet: true, cwd
for (const [name, s] of Object.entries(run.steps)) {
  console.log(`${name}: ${s.cached ? 'CACHED' : 'EXECUTED'} (${s.durationMs} ms, saved ${s.savedMs} ms, ${s.source})`);
}
console.log(`hit rate: ${Math.round((run.hitRate ?? 0) * 100)}%`);
