import { describe, expect, it } from 'vitest';
import { progressBar, renderBar } from './progress-bar';

function harness() {
  let t = 0;
  const lines: string[] = [];
  const progress = progressBar(
    (l) => lines.push(l),
    () => t,
  );
  return { lines, progress, at: (ms: number) => void (t = ms) };
}

describe('progress bar', () => {
  it('draws a bar with percent, counts, elapsed time and what is left', () => {
    expect(renderBar(300, 1000, 4200)).toBe('▕██████░░░░░░░░░░░░░░▏  30% 300/1000 · 4.20s · about 9.80s left');
    expect(renderBar(1000, 1000, 5000)).toBe('▕████████████████████▏ 100% 1000/1000 · 5.00s');
    expect(renderBar(12, undefined, 800)).toBe('progress 12 · 800ms');
  });

  it('prints a few whole lines for many calls: the first, each new tenth at most once a second, and completion', () => {
    const { lines, progress, at } = harness();
    for (let i = 0; i <= 1000; i++) {
      at(i * 5); // 5 s in all
      progress(i, 1000);
    }
    expect(lines.map((l) => l.match(/(\d+)%/)?.[1])).toEqual(['0', '20', '40', '60', '80', '100']);
    expect(lines.every((l) => !l.includes('\r'))).toBe(true);
  });

  it('shows life on a long stretch without a new tenth, and once per 5 s without a total', () => {
    const { lines, progress, at } = harness();
    progress(0, 100);
    at(31_000);
    progress(1, 100);
    at(32_000);
    progress(1, 100);
    expect(lines).toHaveLength(2);

    const open = harness();
    for (let s = 0; s <= 12; s++) {
      open.at(s * 1000);
      open.progress(s * 10);
    }
    expect(open.lines.map((l) => l.split(' ')[1])).toEqual(['0', '50', '100']);
  });

  it('ignores values it cannot draw instead of failing the step', () => {
    const { lines, progress } = harness();
    progress(Number.NaN, 10);
    progress(-1, 10);
    progress(5, Number.NaN);
    expect(lines).toEqual(['progress 5 · 0ms']);
  });
});
