/**
 * Known relations between the methods (NAO.md) and invariances of the shares.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fit } from '../../src/fit.js';
import { compareFit, decomposeFit } from '../../src/decompose/decompose-fit.js';
import { naoPanel, simulatePanel } from '../../src/simulate/index.js';

describe('the NAO split on a calibrated panel', () => {
  it('components give 44/15/10/31 within 1 percentage point on naoPanel({ exact: true })', () => {
    for (const seed of [1, 2, 2019]) {
      const d = decomposeFit(fit(naoPanel({ seed, exact: true }), 'rate ~ deprivation + (1|la) + (1|year)'), 'components');
      expect(Math.abs(d.shares.la - 0.44)).toBeLessThan(0.01);
      expect(Math.abs(d.shares.fixed - 0.15)).toBeLessThan(0.01);
      expect(Math.abs(d.shares.year - 0.1)).toBeLessThan(0.01);
      expect(Math.abs(d.shares.residual - 0.31)).toBeLessThan(0.01);
    }
  });
});

describe('relations between the methods', () => {
  it('Shapley gives a time-invariant covariate half its own R^2 when unit dummies are in the model', () => {
    const t = naoPanel({ seed: 3 });
    const m = fit(t, 'rate ~ deprivation + (1|la) + (1|year)');
    const own = decomposeFit(m, 'sequential', { order: ['fixed', 'la', 'year'] }).shares.fixed;
    const sh = decomposeFit(m, 'shapley').shares.fixed;
    // With unit dummies present the covariate adds nothing; balanced period dummies are orthogonal.
    expect(sh).toBeCloseTo(own / 2, 10);
  });

  it('sequential period share is about (T-1)/T of the components share on a large balanced panel', () => {
    const T = 10;
    const t = simulatePanel({ units: 2000, periods: T, seed: 11, shares: { unit: 0.4, fixed: 0.1, period: 0.2, residual: 0.3 } });
    const c = compareFit(fit(t, 'y ~ x + (1|unit) + (1|period)'));
    const row = c.rows.find((r) => r.key === 'period')!;
    expect(row.shares.sequential / row.shares.components).toBeCloseTo((T - 1) / T, 1);
  });

  it('sequential shares add to R^2 for every order, Shapley values add to R^2', () => {
    const m = fit(simulatePanel({ units: 40, periods: 6, seed: 4, missing: 0.1, covariateWithin: 0.5 }), 'y ~ x + (1|unit) + (1|period)');
    const orders = [['fixed', 'unit', 'period'], ['period', 'fixed', 'unit'], ['unit', 'period', 'fixed']];
    const r2 = decomposeFit(m, 'shapley').r2!;
    for (const order of orders) {
      const d = decomposeFit(m, 'sequential', { order });
      expect(order.reduce((s, k) => s + d.shares[k], 0)).toBeCloseTo(r2, 12);
    }
  });
});

describe('invariances of the shares', () => {
  it('shares are unchanged under y -> a + b*y, row order and level relabelling; all in [0, 1] summing to 1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.double({ min: 0.1, max: 50, noNaN: true }),
        (seed, a, b) => {
          const t = simulatePanel({ units: 12, periods: 5, seed, missing: 0.1 });
          const unit = t.array('unit') as string[];
          const period = t.array('period') as number[];
          const x = Array.from(t.array('x') as Float64Array);
          const y = Array.from(t.array('y') as Float64Array);
          const n = y.length;
          const perm = Array.from({ length: n }, (_, i) => (i * 7 + 3) % n);
          const base = { y, x, unit, period };
          const moved = {
            y: perm.map((i) => a + b * y[i]),
            x: perm.map((i) => x[i]),
            unit: perm.map((i) => `L-${unit[i]}`),
            period: perm.map((i) => period[i] * 3 + 1),
          };
          const f = 'y ~ x + (1|unit) + (1|period)';
          const c1 = compareFit(fit(base, f));
          const c2 = compareFit(fit(moved, f));
          for (const method of c1.methods) {
            const s1 = c1.decompositions[method].shares;
            const s2 = c2.decompositions[method].shares;
            const sum = Object.values(s1).reduce((p, q) => p + q, 0);
            expect(sum).toBeCloseTo(1, 10);
            for (const k of Object.keys(s1)) {
              expect(s1[k]).toBeGreaterThanOrEqual(-1e-12);
              expect(s1[k]).toBeLessThanOrEqual(1 + 1e-12);
              expect(Math.abs(s1[k] - s2[k])).toBeLessThan(method === 'components' ? 1e-6 : 1e-9);
            }
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});
