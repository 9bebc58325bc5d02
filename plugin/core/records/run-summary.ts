/**
 * The line the post-task hook prints after Nx's own summary: how many step
 * functions the command really called, and where every other result came
 * from. Nx's `Cache: N/M hit` counts only Nx's own hits, so a step kept on
 * disk or restored by its own key reads there as a miss; and a result Nx
 * replays from its cache shows the output of the run that made it, which
 * reads as if it ran now. This line says which results were restored, and
 * when they were made.
 *
 *   nx-steps: step functions called: 1 of 3 (etl:report). Not called: 2 restored from the local cache (results made 2026-12-07 14:19:51 UTC).
 */
import type { RunRecord, StepRunRecord, StepSource } from './run-record';
import { stepId } from './run-record';

/** How each source reads in the line, in this order. */
const NOT_CALLED: ReadonlyArray<readonly [StepSource, string]> = [
  ['local', 'restored from the local cache'],
  ['remote', 'restored from the remote cache'],
  ['step-local', "restored from the local cache by the step's own key"],
  ['step-remote', "restored from the remote cache by the step's own key"],
  ['kept', 'kept on disk'],
];

const MAX_NAMES = 3;

function names(steps: readonly StepRunRecord[]): string {
  const ids = steps.map(stepId);
  return ids.length > MAX_NAMES ? `${ids.slice(0, MAX_NAMES).join(', ')} and ${ids.length - MAX_NAMES} more` : ids.join(', ');
}

function when(iso: string): string {
  return `${iso.replace('T', ' ').slice(0, 19)} UTC`;
}

/** "made 2026-12-07 14:19:51 UTC", or the span of several; empty when step.json did not say. */
function madeAt(steps: readonly StepRunRecord[]): string {
  const times = steps.flatMap((s) => (s.madeAt ? [s.madeAt] : [])).sort();
  const [first, last] = [times[0], times[times.length - 1]];
  if (first === undefined || last === undefined) return '';
  const plural = steps.length > 1 ? 'results' : 'result';
  return first.slice(0, 19) === last.slice(0, 19) ? ` (${plural} made ${when(first)})` : ` (${plural} made ${when(first)} to ${when(last)})`;
}

/** The summary line of one run, or undefined when the run touched no step. */
export function runSummaryLine(record: RunRecord): string | undefined {
  const steps = record.steps;
  if (steps.length === 0) return undefined;
  const called = steps.filter((s) => s.source === 'executed' || s.source === 'uncached');
  const reused: string[] = [];
  for (const [source, label] of NOT_CALLED) {
    const these = steps.filter((s) => s.source === source);
    if (these.length > 0) reused.push(`${these.length} ${label}${source === 'local' || source === 'remote' ? madeAt(these) : ''}`);
  }
  const failed = steps.filter((s) => s.source === 'failed').length;
  const skipped = steps.filter((s) => s.source === 'skipped').length;
  const rest = [failed > 0 ? `${failed} failed` : '', skipped > 0 ? `${skipped} not run` : ''].filter(Boolean);
  return [
    `nx-steps: step functions called: ${called.length} of ${steps.length}${called.length > 0 ? ` (${names(called)})` : ''}.`,
    reused.length > 0 ? ` Not called: ${reused.join(', ')}.` : '',
    rest.length > 0 ? ` ${rest.join(', ')}.` : '',
  ].join('');
}
