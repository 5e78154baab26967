/**
 * The parametric bootstrap from aggregates draws each cell's statistics exactly: the replicate
 * cross-products have the distribution of those the row bootstrap computes from simulated rows.
 * Same seeds cannot give the same draws (the cell draw uses fewer deviates), so the test compares
 * means and standard deviations over 4,000 replicates of each, within 4.5 Monte Carlo standard
 * errors (means) and 8% (standard deviations; the standard error of an sd estimate from 4,000
 * draws of these near-normal and chi-square-like statistics is 1-2%).
 */
import { describe, expect, it } from 'vitest';
import { decompose, fit } from '../../src/index.js';
import { cellsFromRows } from '../../src/input/cell-statistics.js';
import { fitCells } from '../../src/fit-aggregates.js';
import { rowResponseSimulator } from '../../src/decompose/bootstrap.js';
import { cellResponseSimulator } from '../../src/decompose/cell-simulation.js';
import { Rng } from '../../src/random/rng.js';
import { chiSquare } from '../../src/random/chi-square.js';
import type { CrossProducts } from '../../src/objective/cross-products.js';

function panel() {
  const la: string[] = [];
  const year: number[] = [];
  const region: string[] = [];
  const x: number[] = [];
  const y: number[] = [];
  const rng = new Rng(5);
  const ue = Array.from({ length: 30 }, () => rng.normal());
  const ye = Array.from({ length: 5 }, () => 0.5 * rng.normal());
  for (let u = 0; u < 30; u++) {
    for (let t = 0; t < 5; t++) {
      // Two to four rows per cell, so the within-cell parts and the chi-square remainders matter.
      for (let r = 0; r < 2 + ((u + t) % 3); r++) {
        la.push(`L${u}`);
        year.push(2015 + t);
        region.push(u % 2 ? 'north' : 'south');
        const xi = rng.normal() + u / 10;
        x.push(xi);
        y.push(2 + 0.7 * xi + (u % 2) + ue[u] + ye[t] + rng.normal());
      }
    }
  }
  return { la, year, region, x, y };
}

function statistics(cp: CrossProducts, simulate: (rng: Rng) => void, n: number, seed: number): Float64Array[] {
  const { m: size, qr } = cp;
  const last = size - 1;
  const out = [0, 1, 2, 3, 4].map(() => new Float64Array(n));
  const root = new Rng(seed);
  for (let r = 0; r < n; r++) {
    simulate(root.fork(r));
    out[0][r] = cp.B[last * size + last];
    out[1][r] = cp.B[last * size + qr + 1];
    out[2][r] = cp.B[last * size + qr + 2];
    out[3][r] = cp.g[last];
    out[4][r] = cp.B[last * size + 0];
  }
  return out;
}

const meanSd = (v: Float64Array) => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const s = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
  return { m, s };
};

describe('bootstrap replicates drawn as cell statistics', () => {
  const data = panel();
  const f = 'y ~ x + region + (1|la) + (1|year)';
  const rows = fit(data, f);
  const cells = fitCells(cellsFromRows(data, f), f);

  it('have the distribution of the row bootstrap cross-products', () => {
    const n = 4000;
    // Both simulators write into the cross-products they are given; read them from there.
    const cpa = rows.prepared.cp.clone();
    const cpb = cells.prepared.cp.clone();
    const sa = statistics(cpa, rowResponseSimulator(rows, cpa), n, 1);
    const sb = statistics(cpb, cellResponseSimulator(cells, cpb), n, 2);
    sa.forEach((va, k) => {
      const A = meanSd(va);
      const B = meanSd(sb[k]);
      const se = Math.sqrt((A.s ** 2 + B.s ** 2) / n);
      expect(Math.abs(A.m - B.m)).toBeLessThan(4.5 * se + 1e-12 * Math.abs(A.m));
      expect(Math.abs(A.s - B.s)).toBeLessThan(0.08 * A.s);
    });
  });

  it('give intervals like the row bootstrap', () => {
    const intervals = { n: 300, seed: 3 };
    const a = decompose(rows, { intervals });
    const b = decompose(cells, { intervals });
    for (const c of a.components) {
      const d = b.components.find((x) => x.key === c.key)!;
      expect(d.share).toBeCloseTo(c.share, 8);
      expect(Math.abs(d.lower! - c.lower!)).toBeLessThan(0.04);
      expect(Math.abs(d.upper! - c.upper!)).toBeLessThan(0.04);
    }
  });
});

describe('chi-square deviates', () => {
  it('have mean df and variance 2 df, for small and large df', () => {
    for (const df of [0.5, 1, 3, 40]) {
      const rng = new Rng(9);
      const n = 20000;
      const v = Float64Array.from({ length: n }, () => chiSquare(rng, df));
      const { m, s } = meanSd(v);
      expect(Math.abs(m - df)).toBeLessThan(4.5 * Math.sqrt((2 * df) / n));
      expect(Math.abs(s * s - 2 * df)).toBeLessThan(0.1 * 2 * df);
    }
    expect(chiSquare(new Rng(1), 0)).toBe(0);
  });
});
