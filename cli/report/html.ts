/**
 * `nx-steps report --html <file>`: one self-contained page (inline CSS and
 * SVG, no script, no external resource, so it opens from a CI artifact or an
 * e-mail as it is): each pipeline's DAG coloured by how each step fared in
 * the last run, a timeline of that run, and the per-step table.
 */
import type { RunRecord, StepRunRecord, StepSource } from '../../plugin/core/records/run-record';
import { stepId } from '../../plugin/core/records/run-record';
import type { Summary } from '../../plugin/core/records/summarize';
import type { DagStep, Point } from './dag-layout';
import { layoutDag, NODE } from './dag-layout';
import { commandText, ms, percent, runTime, SOURCE_LABEL, SUMMARY_HEAD, summaryRow, summaryRows, when } from './labels';

export interface PipelineShape {
  readonly project: string;
  readonly steps: readonly (DagStep & { readonly cache: string })[];
}

export interface HtmlReportInput {
  readonly run: RunRecord;
  /** Totals over the selected runs (the last run alone, or a window). */
  readonly summary: Summary;
  /** Describes the selection: 'in the last run', 'in the last 7d', 'recorded'. */
  readonly window: string;
  readonly pipelines: readonly PipelineShape[];
  readonly generatedAt: string;
}

type NodeStatus = StepSource | 'not-run';

const COLORS: Readonly<Record<NodeStatus, { fill: string; stroke: string }>> = {
  executed: { fill: '#fde68a', stroke: '#b45309' },
  local: { fill: '#bbf7d0', stroke: '#15803d' },
  remote: { fill: '#bae6fd', stroke: '#0369a1' },
  'step-local': { fill: '#a7f3d0', stroke: '#047857' },
  'step-remote': { fill: '#a5f3fc', stroke: '#0e7490' },
  kept: { fill: '#d9f99d', stroke: '#4d7c0f' },
  uncached: { fill: '#e9d5ff', stroke: '#7e22ce' },
  failed: { fill: '#fecaca', stroke: '#b91c1c' },
  skipped: { fill: '#e5e7eb', stroke: '#6b7280' },
  'not-run': { fill: '#ffffff', stroke: '#9ca3af' },
};

const LABEL: Readonly<Record<NodeStatus, string>> = { ...SOURCE_LABEL, 'not-run': 'not in this run' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function style(): string {
  const statusRules = Object.entries(COLORS)
    .map(
      ([s, c]) =>
        `.status-${s} rect, rect.status-${s}, .swatch.status-${s} { fill: ${c.fill}; stroke: ${c.stroke}; background: ${c.fill}; border-color: ${c.stroke}; }`,
    )
    .join('\n');
  return `
body { font: 14px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 24px; color: #111827; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.muted { color: #6b7280; }
svg text { font: 12px system-ui, sans-serif; fill: #111827; }
svg text.name { font-weight: 600; font-size: 13px; }
.step-node rect { stroke-width: 1.5; }
.status-not-run rect { stroke-dasharray: 4 3; }
.edge { fill: none; stroke: #6b7280; stroke-width: 1.3; }
.legend { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0; }
.swatch { display: inline-block; width: 12px; height: 12px; border: 1.5px solid; border-radius: 3px; vertical-align: -2px; margin-right: 4px; }
table { border-collapse: collapse; } th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid #e5e7eb; }
th:first-child, td:first-child { text-align: left; }
.axis { stroke: #d1d5db; }
${statusRules}`;
}

function statusOf(run: RunRecord, project: string, step: string): StepRunRecord | undefined {
  return run.steps.find((s) => s.project === project && s.step === step);
}

/** An SVG path through an edge's points: straight through a lane, an S-curve across the gap between layers. */
function edgePath(points: readonly Point[]): string {
  const [first, ...rest] = points;
  if (!first) return '';
  let d = `M${first.x},${first.y}`;
  let prev = first;
  for (const p of rest) {
    const midY = (prev.y + p.y) / 2;
    d += p.x === prev.x ? ` L${p.x},${p.y}` : ` C${prev.x},${midY} ${p.x},${midY} ${p.x},${p.y}`;
    prev = p;
  }
  return d;
}

/** A name cut to what fits in a box (the full name is in the box's tooltip). */
function fitted(name: string, width: number): string {
  const max = Math.floor((width - 20) / 7.6);
  return name.length > max ? `${name.slice(0, max - 1)}…` : name;
}

function dagSvg(pipeline: PipelineShape, run: RunRecord, index: number): string {
  // One marker per SVG: ids must be unique in the page.
  const arrow = `arrow-${index}`;
  const layout = layoutDag(pipeline.steps);
  const at = new Map(layout.nodes.map((n) => [n.name, n]));
  const edges = layout.edges.map(
    ({ from, to, points }) =>
      `<path class="edge" data-from="${escapeHtml(from)}" data-to="${escapeHtml(to)}" d="${edgePath(points)}" marker-end="url(#${arrow})"/>`,
  );
  const nodes = pipeline.steps.map((s) => {
    const p = at.get(s.name);
    if (!p) return '';
    const rec = statusOf(run, pipeline.project, s.name);
    const status: NodeStatus = rec?.source ?? 'not-run';
    const detail = rec ? `${LABEL[status]} · ${ms(rec.durationMs)}` : LABEL[status];
    const tip = [
      `${pipeline.project}:${s.name} (${s.cache})`,
      LABEL[status],
      rec ? `time ${ms(rec.durationMs)}` : '',
      rec?.originalMs !== undefined ? `original ${ms(rec.originalMs)}` : '',
      rec?.savedMs !== undefined ? `saved ${ms(rec.savedMs)}` : '',
    ]
      .filter(Boolean)
      .join('\n');
    return [
      `<g class="step-node status-${status}" data-step="${escapeHtml(`${pipeline.project}:${s.name}`)}" data-status="${status}">`,
      `<title>${escapeHtml(tip)}</title>`,
      `<rect x="${p.x}" y="${p.y}" width="${layout.nodeWidth}" height="${NODE.height}" rx="6"/>`,
      `<text class="name" x="${p.x + 10}" y="${p.y + 20}">${escapeHtml(fitted(s.name, layout.nodeWidth))}</text>`,
      `<text x="${p.x + 10}" y="${p.y + 38}">${escapeHtml(detail)}</text>`,
      '</g>',
    ].join('');
  });
  return [
    `<svg class="dag" data-project="${escapeHtml(pipeline.project)}" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" role="img" aria-label="Steps of ${escapeHtml(pipeline.project)}">`,
    `<defs><marker id="${arrow}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker></defs>`,
    ...edges,
    ...nodes,
    '</svg>',
  ].join('\n');
}

function timelineSvg(run: RunRecord): string {
  const labelWidth = 200;
  const chart = 640;
  const row = 24;
  const top = 22;
  const span = Math.max(1, run.durationMs, ...run.steps.map((s) => s.startMs + s.durationMs));
  const x = (t: number) => labelWidth + (t / span) * chart;
  const height = top + run.steps.length * row + 8;
  const width = labelWidth + chart + 90;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const tx = x(f * span);
    return `<line class="axis" x1="${tx}" y1="${top - 6}" x2="${tx}" y2="${height - 4}"/><text x="${tx}" y="12" text-anchor="middle">${escapeHtml(ms(f * span))}</text>`;
  });
  const bars = run.steps.map((s, i) => {
    const y = top + i * row;
    const w = Math.max(2, x(s.startMs + s.durationMs) - x(s.startMs));
    return [
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(stepId(s))}</text>`,
      `<rect class="bar status-${s.source}" data-step="${escapeHtml(stepId(s))}" data-status="${s.source}" x="${x(s.startMs)}" y="${y + 3}" width="${w}" height="${row - 8}" rx="3"><title>${escapeHtml(`${stepId(s)}: ${SOURCE_LABEL[s.source]}, ${ms(s.durationMs)}`)}</title></rect>`,
      `<text x="${x(s.startMs) + w + 6}" y="${y + 15}">${escapeHtml(ms(s.durationMs))}</text>`,
    ].join('');
  });
  return `<svg class="timeline" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Timeline of the last run">\n${ticks.join('\n')}\n${bars.join('\n')}\n</svg>`;
}

function summaryTable(summary: Summary): string {
  const rows = [...summaryRows(summary), summaryRow('total', summary.total)];
  const tr = (cells: string[], tag: 'td' | 'th') => `<tr>${cells.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('')}</tr>`;
  return `<table class="summary"><thead>${tr(SUMMARY_HEAD, 'th')}</thead><tbody>${rows.map((r) => tr(r, 'td')).join('')}</tbody></table>`;
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const { run, summary } = input;
  const legend = (Object.keys(LABEL) as NodeStatus[]).map((s) => `<span><span class="swatch status-${s}"></span>${escapeHtml(LABEL[s])}</span>`).join('');
  const t = summary.total;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nx-steps report</title>
<style>${style()}</style>
</head>
<body>
<h1>nx-steps report</h1>
<p class="muted">Last run: <code>${escapeHtml(commandText(run.command))}</code>, ${escapeHtml(when(run.startedAt))}: ${escapeHtml(runTime(run))}. Generated ${escapeHtml(when(input.generatedAt))}.</p>
<p class="totals">${escapeHtml(`${t.lookups} lookups ${input.window}: ${t.hits} hits (${percent(t.hitRate)}), ${t.misses} misses, ${ms(t.savedMs)} saved.`)}</p>
<div class="legend">${legend}</div>
${input.pipelines.map((p, i) => `<h2>Pipeline ${escapeHtml(p.project)}</h2>\n${dagSvg(p, run, i)}`).join('\n')}
<h2>Timeline of the last run</h2>
${timelineSvg(run)}
<h2>Per step, over ${summary.runs} run${summary.runs === 1 ? '' : 's'}</h2>
${summaryTable(summary)}
</body>
</html>
`;
}
