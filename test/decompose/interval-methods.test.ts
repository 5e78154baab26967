/**
 * Interval methods through the public API: the default (profile likelihood for components, unit
 * bootstrap for sequential and Shapley), the parametric percentile by name, the refused two-way
 * scheme, and how each share's method is named in the data and the reports.
 */
import { describe, expect, it } from 'vitest';
import { compare, decompose, fit, simulatePanel, VardecompError } from '../../src/index.js';
import { centredPercentileInterval } from '../../src/decompose/unit-bootstrap.js';
import { resolveIntervals } from '../../src/decompose/bootstrap.js';
import { loadFixtures } from '../helpers/fixtures.js';
import { readFileSync } from 'node:fs';
import { fromCSV } from 'arquero';

const FORMULA = 'y ~ x + (1|unit) + (1|period)';

describe('interval methods', () => {
  const data = simulatePanel({ units: 40, periods: 6, seed: 21, unitCovariateCorrelation: 0.6 });
  const m = fit(data, FORMULA);

  it('components default to profile likelihood, named per share, with the estimand', () => {
    const d = decompose(m, { intervals: true });
    expect(d.intervals!.kind).toBe('profile');
    expect(d.intervals!.estimand).toContain('profile likelihood');
    expect(d.intervals!.n).toBe(0);
    for (const c of d.components) {
      expect(['profile', 'profile-boundary']).toContain(c.intervalMethod);
      expect(c.lower!).toBeLessThanOrEqual(c.share);
      expect(c.upper!).toBeGreaterThanOrEqual(c.share);
    }
    expect(d.format()).toContain('Intervals: 95% profile likelihood');
    expect(d.format()).toContain('Estimand: ');
    expect(d.toMarkdown().split('\n')[0]).toContain('Interval method');
    expect(JSON.parse(JSON.stringify(d)).components[0].intervalMethod).toMatch(/^profile/);
    expect(d.toTable().columnNames()).toContain('interval_method');
  });

  it('the parametric percentile bootstrap stays available by name', () => {
    const d = decompose(m, { intervals: { method: 'percentile', n: 40, seed: 3 } });
    expect(d.intervals!.kind).toBe('parametric-bootstrap');
    expect(d.intervals!.n).toBe(40);
    expect(d.components.every((c) => c.intervalMethod === 'percentile')).toBe(true);
    expect(d.format()).toContain('Intervals: 95% percentile, parametric bootstrap, 40 replicates');
  });

  it('sequential and Shapley default to the unit bootstrap; every interval contains its estimate; reproducible', () => {
    const c = compare(m, { intervals: { n: 60, seed: 4 } });
    expect(c.decompositions.components.intervals!.kind).toBe('profile');
    for (const method of ['sequential', 'shapley'] as const) {
      const d = c.decompositions[method];
      expect(d.intervals!.kind).toBe('unit-bootstrap');
      expect(d.intervals!.succeeded).toBe(60);
      expect(d.intervals!.estimand).toContain('population of units');
      for (const x of d.components) {
        expect(x.intervalMethod).toBe('unit-bootstrap');
        expect(x.lower!).toBeLessThanOrEqual(x.share);
        expect(x.upper!).toBeGreaterThanOrEqual(x.share);
        expect(x.upper! - x.lower!).toBeGreaterThan(0);
      }
    }
    const again = compare(m, { intervals: { n: 60, seed: 4 } });
    expect(again.rows).toEqual(c.rows);
    expect(c.format()).toContain('Intervals (sequential): 95% unit bootstrap');
  });

  it('two-way resampling is refused with E_UNSUPPORTED, saying why and what to use', () => {
    let err: unknown;
    try {
      decompose(m, { method: 'shapley', intervals: { method: 'unit-bootstrap', resample: 'two-way' as never, n: 40 } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VardecompError);
    expect((err as VardecompError).code).toBe('E_UNSUPPORTED');
    expect((err as VardecompError).message).toMatch(/intervals\.resample.*not offered.*period share.*unit bootstrap.*profile-likelihood/s);
  });

  it('unit-bootstrap components refit each replicate', () => {
    const d = decompose(m, { intervals: { method: 'unit-bootstrap', n: 20, seed: 1 } });
    expect(d.intervals!.kind).toBe('unit-bootstrap');
    expect(d.intervals!.succeeded).toBe(20);
    for (const x of d.components) expect(x.lower!).toBeLessThanOrEqual(x.share);
  });

  it('beyond three random terms the components fall back to the percentile bootstrap, and say so', () => {
    const rows = (data.objects() as Array<Record<string, unknown>>).map((r, i) => ({
      ...r,
      region: `R${Number(String(r.unit).slice(1)) % 5}`,
      wave: `W${Number(r.period) % 2}`,
      site: `S${i % 7}`,
    }));
    const d = decompose(rows, 'y ~ x + (1|unit) + (1|period) + (1|region) + (1|site)', { intervals: { n: 20, seed: 1 } });
    expect(d.intervals!.kind).toBe('parametric-bootstrap');
    expect(d.intervals!.fallback).toContain('up to 3 random terms');
    expect(d.format()).toContain('Note: profile-likelihood intervals cover');
    expect(d.components.every((c) => c.intervalMethod === 'percentile')).toBe(true);
  });

  it('unit-bootstrap and profile intervals do not depend on the unit of the weights', () => {
    const weighted = loadFixtures().find((f) => f.fixture.name === 'panel-weights')!;
    const rows = weighted.table.objects() as Array<Record<string, unknown>>;
    const scaled = (c: number) => rows.map((r) => ({ ...r, ws: (r.w as number) * c }));
    for (const method of ['components', 'shapley'] as const) {
      const opts = { method, weights: 'ws', intervals: { method: 'unit-bootstrap' as const, n: 10, seed: 3 } };
      const a = decompose(scaled(1), weighted.fixture.formula, opts).components;
      const b = decompose(scaled(1e10), weighted.fixture.formula, opts).components;
      a.forEach((p, i) => {
        expect(Math.abs(p.lower! - b[i].lower!)).toBeLessThan(1e-6);
        expect(Math.abs(p.upper! - b[i].upper!)).toBeLessThan(1e-6);
      });
    }
  });

  it('the unit bootstrap resamples the response the fit sees (with an offset, y - offset)', () => {
    const rows: Array<Record<string, number | string>> = (data.objects() as Array<Record<string, number | string>>).map((r) => ({ ...r, off: 3 * Number(r.x) }));
    const withOffset = decompose(rows, 'y ~ x + (1|unit) + (1|period)', { method: 'shapley', offset: 'off', intervals: { n: 30, seed: 5 } });
    const shifted = decompose(
      rows.map((r) => ({ ...r, y: Number(r.y) - Number(r.off) })),
      'y ~ x + (1|unit) + (1|period)',
      { method: 'shapley', intervals: { n: 30, seed: 5 } },
    );
    withOffset.components.forEach((c, i) => {
      expect(c.share).toBeCloseTo(shifted.components[i].share, 10);
      expect(c.lower!).toBeCloseTo(shifted.components[i].lower!, 10);
      expect(c.upper!).toBeCloseTo(shifted.components[i].upper!, 10);
    });
  });

  it('random-slope models: components fall back to the percentile bootstrap and say so; the unit bootstrap resamples slopes with their rows', () => {
    const slopes = simulatePanel({ units: 30, periods: 6, seed: 2, covariateWithin: 0.5 });
    const c = compare(slopes, 'y ~ x + (x|unit) + (1|period)', { intervals: { n: 30, seed: 1 } });
    expect(c.decompositions.components.intervals!.kind).toBe('parametric-bootstrap');
    expect(c.decompositions.components.intervals!.fallback).toContain('random-intercept Gaussian models');
    for (const m of ['sequential', 'shapley'] as const) {
      const d = c.decompositions[m];
      expect(d.intervals!.kind).toBe('unit-bootstrap');
      expect(d.intervals!.succeeded).toBe(30);
      for (const x of d.components) {
        expect(x.lower!).toBeLessThanOrEqual(x.share);
        expect(x.upper!).toBeGreaterThanOrEqual(x.share);
      }
    }
    const u = decompose(slopes, 'y ~ x + (x|unit) + (1|period)', { intervals: { method: 'unit-bootstrap', n: 10, seed: 1 } });
    expect(u.intervals!.succeeded).toBe(10);
  });

  it('GLMMs use the percentile bootstrap on the latent scale, named per share, with the reason', () => {
    const cbpp = fromCSV(readFileSync(new URL('../fixtures/glmm/cbpp.csv', import.meta.url), 'utf8'));
    const d = decompose(cbpp, 'cbind(incidence, size - incidence) ~ period + (1 | herd)', { family: 'binomial', intervals: { n: 12, seed: 1 } });
    expect(d.intervals!.kind).toBe('parametric-bootstrap');
    expect(d.intervals!.fallback).toContain('Gaussian models');
    expect(d.components.every((c) => c.intervalMethod === 'percentile')).toBe(true);
    expect(d.format()).toContain('Note: profile-likelihood and unit-bootstrap intervals cover Gaussian models');
    const p = decompose(cbpp, 'cbind(incidence, size - incidence) ~ period + (1 | herd)', {
      family: 'binomial',
      intervals: { method: 'percentile', n: 12, seed: 1 },
    });
    expect(p.intervals!.fallback).toBeUndefined();
  });

  it('bad interval options are E_OPTION naming the field', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof VardecompError ? `${e.code}: ${e.message}` : String(e);
      }
      return 'none';
    };
    expect(code(() => resolveIntervals({ method: 'bca' as never }))).toMatch(/E_OPTION.*intervals\.method/);
    expect(code(() => resolveIntervals({ resample: 'rows' as never }))).toMatch(/E_OPTION.*intervals\.resample/);
  });
});

describe('centredPercentileInterval', () => {
  it('shifts the percentile interval by the estimate minus the median, within [0, 1]', () => {
    const v = Float64Array.from({ length: 101 }, (_, i) => i / 100);
    // Type-7 quantiles of 0..1 in steps of 0.01: q(0.025) = 0.025, q(0.975) = 0.975, median 0.5.
    const [lo, hi] = centredPercentileInterval(v, 0.6, 0.95);
    expect(lo).toBeCloseTo(0.125, 12);
    expect(hi).toBeCloseTo(1, 12);
    const [lo2, hi2] = centredPercentileInterval(v, 0.5, 0.95);
    expect(lo2).toBeCloseTo(0.025, 12);
    expect(hi2).toBeCloseTo(0.975, 12);
  });
});
