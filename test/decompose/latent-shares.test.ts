/**
 * Latent-scale (Nakagawa, Johnson & Schielzeth 2017) shares of GLMMs against the values computed
 * in R by the definition in scripts/reference/glmm.R (fixed = var(X beta), random variances,
 * distribution-specific variance pi^2/3 or ln(1 + 1/lambda), 1/lambda, trigamma(lambda) with
 * lambda = mean(exp(b0_null + offset + sigma2_null / 2)) from the polished null glmer fit). Not
 * against insight: Debian's insight 0.19.0 uses exp(b0_null) without sigma2_null, and every
 * insight version leaves out the offset.
 */
import { describe, expect, it } from 'vitest';
import { decompose, compare, decomposeMany, VardecompError } from '../../src/index.js';
import { closeRel } from '../helpers/fixtures.js';
import { fitFixture, loadGlmmFixture } from '../helpers/glmm-fixtures.js';

// The models with an observation-level term take seconds to fit: `npm run test:glmm` (and CI).
const cases = process.env.VARDECOMP_GLMM_ALL ? ['cbpp', 'england-poisson', 'england-poisson-olre', 'grouseticks'] : ['cbpp', 'england-poisson'];

describe.each(cases)('latent shares: %s', (name) => {
  const { fixture, m } = fitFixture(name);
  for (const approximation of ['lognormal', 'delta', 'trigamma'] as const) {
    it(`${approximation}: every share and variance (1e-4 relative)`, () => {
      const d = decompose(m, { approximation });
      const ref = fixture.latent.shares[approximation];
      expect(closeRel(d.shares.fixed, ref.fixed, 1e-4)).toBe(true);
      for (const g of m.groups) expect(closeRel(d.shares[g], ref[g], 1e-4)).toBe(true);
      expect(closeRel(d.shares.residual, ref.distribution, 1e-4)).toBe(true);
      expect(closeRel(d.total, ref.total, 1e-4)).toBe(true);
      const sum = Object.values(d.shares).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 12);
      expect(closeRel(d.latent!.distribution, fixture.latent.distribution[approximation], 1e-4)).toBe(true);
      if (fixture.latent.null) {
        expect(closeRel(d.latent!.lambda!, fixture.latent.null.lambda, 1e-5)).toBe(true);
        expect(closeRel(d.latent!.nullModel!.intercept, fixture.latent.null.intercept, 1e-5)).toBe(true);
      } else {
        expect(d.latent!.lambda).toBeNull();
      }
    });
  }
  it('an observation-level term is a residual-kind component; the residual share adds up with it', () => {
    const d = decompose(m);
    const ref = fixture.latent.shares.lognormal;
    for (const c of d.components) {
      const expected = c.key === 'fixed' ? 'fixed' : c.key === 'residual' || c.key === fixture.obsGroup ? 'residual' : 'random';
      expect(c.kind).toBe(expected);
    }
    const residualKind = d.components.filter((c) => c.kind === 'residual').reduce((s, c) => s + c.share, 0);
    expect(closeRel(residualKind, ref.residual, 1e-4)).toBe(true);
  });
});

describe('GLMM decomposition API', () => {
  const { m } = fitFixture('cbpp');
  it('sequential, Shapley and compare are E_UNSUPPORTED and point to components', () => {
    for (const method of ['sequential', 'shapley'] as const) {
      expect(() => decompose(m, { method })).toThrow(/use method "components"/);
      try {
        decompose(m, { method });
      } catch (e) {
        expect((e as VardecompError).code).toBe('E_UNSUPPORTED');
      }
    }
    expect(() => compare(m)).toThrow(VardecompError);
    expect(() => decomposeMany([{ y: 1, g: 'a' }], { outcomes: ['y'], rhs: '(1|g)', family: 'poisson', method: 'shapley' })).toThrow(
      /The shapley method splits the R\^2 of a Gaussian model and is not defined for a poisson GLMM/,
    );
  });
  it('decompose(data, formula, { family }) equals decompose(fit), and says the scale', () => {
    const { table, fixture } = loadGlmmFixture('cbpp');
    const a = decompose(m);
    const b = decompose(table, fixture.formula, { family: 'binomial' });
    expect(b.shares).toEqual(a.shares);
    expect(a.format()).toMatch(/Latent \(logit\) scale/);
    expect(a.toJSON().latent!.family).toBe('binomial');
    expect(() => decompose(table, fixture.formula, { family: 'binomial', reml: true } as never)).toThrow(/Unknown option "reml"/);
  });
  it('options of the Gaussian methods are E_OPTION for a GLMM, not ignored, and refused before any fit', () => {
    const { table, fixture } = loadGlmmFixture('cbpp');
    const cases: Array<[string, Record<string, unknown>]> = [
      ['order', { order: ['herd'] }],
      ['shapley', { shapley: { covariates: 'joint' } }],
      ['weightedResidual', { weightedResidual: 'sigma2' }],
    ];
    for (const [key, extra] of cases) {
      const message = new RegExp(`Option "${key}" .*does not apply to the latent-scale components of a binomial GLMM`);
      for (const run of [
        () => decompose(m, extra as never),
        () => decompose(table, fixture.formula, { family: 'binomial', ...extra } as never),
        // a response that is not a count would fail the fit: the option is refused first
        () => decomposeMany([{ y: 0.5, g: 'a' }], { outcomes: ['y'], rhs: '(1|g)', family: 'binomial', ...extra } as never),
      ]) {
        try {
          run();
          expect.unreachable();
        } catch (e) {
          expect((e as VardecompError).code).toBe('E_OPTION');
          expect((e as Error).message).toMatch(message);
        }
      }
    }
    // undefined is the same as absent
    expect(decompose(m, { order: undefined }).shares).toEqual(decompose(m).shares);
  });
  it('labels are checked as for Gaussian models: a label that is not a string is E_OPTION, not dropped', () => {
    expect(decompose(m, { labels: { herd: 'Herd' } }).labels.herd).toBe('Herd');
    expect(() => decompose(m, { labels: { herd: 5 } as never })).toThrow(/Option "labels.herd" must be a string/);
    expect(() => decompose(m, { labels: { pen: 'Pen' } })).toThrow(/Option "labels" names "pen", which is not a key/);
    expect(() => decompose(m, { labels: 'herd' as never })).toThrow(/Option "labels" must be an object/);
  });
  it('parametric bootstrap: seeded, reproducible, intervals around the estimate', () => {
    const d1 = decompose(m, { intervals: { n: 8, seed: 3 } });
    const d2 = decompose(m, { intervals: { n: 8, seed: 3 } });
    expect(d1.intervals!.succeeded).toBeGreaterThanOrEqual(6);
    for (const c of d1.components) {
      const c2 = d2.components.find((x) => x.key === c.key)!;
      expect(c2.lower).toBe(c.lower);
      expect(c2.upper).toBe(c.upper);
      expect(c.lower!).toBeLessThanOrEqual(c.upper!);
    }
    const herd = d1.components.find((c) => c.key === 'herd')!;
    expect(herd.upper!).toBeGreaterThan(herd.lower!);
  });
});
