/**
 * Decomposition shares against R: components from lme4 + insight::get_variance, sequential and
 * Shapley from lm() subset R^2 computed in scripts/reference/make-fixtures.R. Tolerance 1e-6.
 */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/fit.js';
import { compareFit, decomposeFit } from '../../src/decompose/decompose-fit.js';
import { loadFixtures } from '../helpers/fixtures.js';

const TOL = 1e-6;

for (const { fixture, table } of loadFixtures()) {
  const ref = fixture.decomposition;
  describe(`decomposition vs R: ${fixture.name}`, () => {
    const m = fit(table, fixture.formula, fixture.weights ? { weights: fixture.weights } : {});
    const hasFixed = ref.groups.includes('fixed');

    it('components equal insight::get_variance shares', () => {
      const d = decomposeFit(m, 'components');
      const sum = Object.values(d.shares).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 12);
      const comp = (k: string) => d.components.find((c) => c.key === k)!;
      if (hasFixed) expect(Math.abs(comp('fixed').variance! - ref.components.varFixed)).toBeLessThan(1e-4 * d.total);
      for (const [g, v] of Object.entries(ref.components.varRandom)) {
        expect(Math.abs(comp(g).variance! - v)).toBeLessThan(3e-4 * d.total);
      }
      if (fixture.weights) {
        // Weighted fits: residual part = sigma^2 * mean(1/w), the average residual variance of a row.
        const w = m.prepared.frame.weights!;
        const meanInv = Array.from(w, (x) => 1 / x).reduce((a, b) => a + b, 0) / w.length;
        expect(comp('residual').variance!).toBeCloseTo(m.sigma ** 2 * meanInv, 10);
      } else {
        for (const [k, v] of Object.entries(ref.components.shares)) {
          if (k === 'fixed' && !hasFixed) continue;
          // lme4 pins the large-offset optimum only to ~1e-5 in theta (criterion noise), so allow 1e-5 there.
          expect(Math.abs(d.shares[k] - v)).toBeLessThan(fixture.name === 'large-offset' ? 1e-5 : TOL);
        }
        expect(Math.abs((d.shares.fixed ?? 0) - ref.components.r2Marginal)).toBeLessThan(fixture.name === 'large-offset' ? 1e-5 : TOL);
      }
    });

    it('sequential increments equal lm() R^2 increments', () => {
      const d = decomposeFit(m, 'sequential', { order: ref.sequential.order });
      for (const [k, v] of Object.entries(ref.sequential.increments)) expect(Math.abs(d.shares[k] - v)).toBeLessThan(TOL);
      expect(Math.abs(d.shares.residual - ref.sequential.residual)).toBeLessThan(TOL);
      if (ref.covariatesSequential) {
        for (const [k, v] of Object.entries(ref.covariatesSequential)) expect(Math.abs(d.covariates[k] - v)).toBeLessThan(TOL);
      }
    });

    it('Shapley values equal LMG from the subset R^2', () => {
      const d = decomposeFit(m, 'shapley');
      for (const [k, v] of Object.entries(ref.shapley.values)) expect(Math.abs(d.shares[k] - v)).toBeLessThan(TOL);
      expect(Math.abs(d.shares.residual - ref.shapley.residual)).toBeLessThan(TOL);
      const covSum = Object.values(d.covariates).reduce((a, b) => a + b, 0);
      if (hasFixed) expect(covSum).toBeCloseTo(d.shares.fixed, 12);
    });

    it('every subset R^2 matches lm()', () => {
      // Each sequential order reads off subset R^2 values: check all orders of the groups.
      const groups = ref.groups;
      const perms = (a: string[]): string[][] => (a.length <= 1 ? [a] : a.flatMap((x, i) => perms([...a.slice(0, i), ...a.slice(i + 1)]).map((p) => [x, ...p])));
      for (const order of perms(groups)) {
        const d = decomposeFit(m, 'sequential', { order });
        let acc = 0;
        const entered: string[] = [];
        for (const k of order) {
          acc += d.shares[k];
          entered.push(k);
          const key = groups.filter((g) => entered.includes(g)).join('+');
          expect(Math.abs(acc - ref.subsetR2[key])).toBeLessThan(TOL);
        }
      }
    });
  });
}

describe('comparison and intervals', () => {
  const { table, fixture } = loadFixtures().find((f) => f.fixture.name === 'panel-covariate')!;
  const m = fit(table, fixture.formula);

  it('compare gives one row per key and a share per method, summing to 1 per method', () => {
    const c = compareFit(m);
    expect(c.rows.map((r) => r.key)).toEqual(['fixed', 'la', 'year', 'residual']);
    for (const method of c.methods) {
      expect(c.rows.reduce((s, r) => s + r.shares[method], 0)).toBeCloseTo(1, 12);
    }
  });

  it('bootstrap intervals are reproducible for a seed and bracket the estimate', () => {
    const a = decomposeFit(m, 'components', { intervals: { method: 'percentile', n: 60, seed: 5, keepReplicates: true } });
    const b = decomposeFit(m, 'components', { intervals: { method: 'percentile', n: 60, seed: 5, keepReplicates: true } });
    expect(a.intervals!.replicates).toEqual(b.intervals!.replicates);
    expect(a.intervals!.succeeded).toBe(60);
    for (const c of a.components) {
      expect(c.lower!).toBeLessThanOrEqual(c.upper!);
      expect(c.lower!).toBeLessThan(c.share + 0.2);
      expect(c.upper!).toBeGreaterThan(c.share - 0.2);
    }
    const other = decomposeFit(m, 'components', { intervals: { method: 'percentile', n: 60, seed: 6, keepReplicates: true } });
    expect(other.intervals!.replicates).not.toEqual(a.intervals!.replicates);
  });
});
