/**
 * Structural guards for "Why it is fast" (DESIGN.md): if the engine ever regresses to dense work
 * over all levels or rows, these fail. They count sizes and operations, never time.
 */
import { describe, expect, it } from 'vitest';
import { prepareModel } from '../../src/model/prepare-model.js';
import { fitPrepared } from '../../src/fit.js';
import { simulatePanel } from '../../src/simulate/index.js';

function doubled(t: ReturnType<typeof simulatePanel>) {
  const cols = ['unit', 'period', 'x', 'y'] as const;
  return Object.fromEntries(cols.map((c) => [c, [...Array.from(t.array(c) as ArrayLike<unknown>), ...Array.from(t.array(c) as ArrayLike<unknown>)]]));
}

describe('the criterion does not grow with the rows or the number of units', () => {
  const panel = simulatePanel({ units: 150, periods: 8, seed: 1 });
  const f = 'y ~ x + (1|unit) + (1|period)';

  it('factorises a dense block of q2 + p + 1 for a two-factor panel, whatever the number of units', () => {
    const small = prepareModel(panel, f);
    expect(small.cp.m).toBe(8 + 2 + 1);
    const big = prepareModel(simulatePanel({ units: 3000, periods: 8, seed: 1 }), f);
    expect(big.cp.m).toBe(8 + 2 + 1);
    // balanced: one distinct level count, so one G block
    expect(big.cp.distinctCounts).toBe(1);
    expect(big.cp.G!.length).toBe(11 * 11);
  });

  it('doubling every row leaves the per-evaluation work unchanged', () => {
    const a = prepareModel(panel, f);
    const b = prepareModel(doubled(panel), f);
    expect(b.cp.m).toBe(a.cp.m);
    expect(b.cp.distinctCounts).toBe(a.cp.distinctCounts);
    expect(b.cp.G!.length).toBe(a.cp.G!.length);
    // and the optimiser needs a similar number of evaluations
    const ea = fitPrepared(a).optimizer.evaluations;
    const eb = fitPrepared(b).optimizer.evaluations;
    expect(eb).toBeLessThan(2 * ea + 20);
  });

  it('an unbalanced panel groups units by their number of rows (at most T distinct counts)', () => {
    const p = prepareModel(simulatePanel({ units: 500, periods: 8, seed: 2, missing: 0.3 }), f);
    expect(p.cp.distinctCounts).toBeLessThanOrEqual(8);
    expect(p.cp.G).not.toBeNull();
  });

  it('weights with distinct sums per unit fall back to per-level updates without a G block per level', () => {
    const p = prepareModel(simulatePanel({ units: 200, periods: 6, seed: 3, weights: true }), f, { weights: 'w' });
    expect(p.cp.distinctCounts).toBe(200);
    expect(p.cp.G).toBeNull();
  });
});

describe('vector terms: the criterion does not grow with the rows or the number of units', () => {
  /** A panel as columns with a centred time `t`, optionally every row twice. */
  function withTime(t: ReturnType<typeof simulatePanel>, copies = 1) {
    const cols = ['unit', 'period', 'x', 'y'] as const;
    const out: Record<string, unknown[]> = Object.fromEntries(
      cols.map((c) => [c, Array.from({ length: copies }, () => Array.from(t.array(c) as ArrayLike<unknown>)).flat()]),
    );
    const p = out.period as number[];
    const mid = (Math.min(...p) + Math.max(...p)) / 2;
    out.t = p.map((v) => v - mid);
    return out;
  }
  const f = 'y ~ x + t + (1 + t | unit) + (1 | period)';

  it('eliminates the slope term\'s 2 x 2 blocks per level: the dense block stays q2 + p + 1 and a balanced panel has one Gram group', () => {
    const small = prepareModel(withTime(simulatePanel({ units: 150, periods: 8, seed: 1 })), f);
    expect(small.cp.S1).toBe(2);
    expect(small.cp.m).toBe(8 + 3 + 1);
    const big = prepareModel(withTime(simulatePanel({ units: 3000, periods: 8, seed: 1 })), f);
    expect(big.cp.m).toBe(8 + 3 + 1);
    expect(big.cp.distinctCounts).toBe(1);
    // one group x three column pairs of one m x m block each
    expect(big.cp.G!.length).toBe(3 * 12 * 12);
  });

  it('doubling every row leaves the per-evaluation work unchanged', () => {
    const panel = simulatePanel({ units: 150, periods: 8, seed: 1 });
    const a = prepareModel(withTime(panel), f);
    const b = prepareModel(withTime(panel, 2), f);
    expect(b.cp.m).toBe(a.cp.m);
    expect(b.cp.distinctCounts).toBe(a.cp.distinctCounts);
    expect(b.cp.G!.length).toBe(a.cp.G!.length);
    const ea = fitPrepared(a).optimizer.evaluations;
    const eb = fitPrepared(b).optimizer.evaluations;
    expect(eb).toBeLessThan(2 * ea + 40);
  });

  it('an unbalanced panel groups units by their Gram block (at most one per pattern of periods)', () => {
    const p = prepareModel(withTime(simulatePanel({ units: 500, periods: 6, seed: 2, missing: 0.1 })), f);
    expect(p.cp.distinctCounts).toBeLessThan(500);
    expect(p.cp.G).not.toBeNull();
  });

  it('a slope on a row-level covariate has a Gram block per unit: per-level updates, no G block per level', () => {
    const p = prepareModel(withTime(simulatePanel({ units: 200, periods: 6, seed: 3 })), 'y ~ x + (1 + x | unit) + (1 | period)');
    expect(p.cp.distinctCounts).toBe(200);
    expect(p.cp.G).toBeNull();
    expect(p.cp.m).toBe(6 + 2 + 1);
  });
});
