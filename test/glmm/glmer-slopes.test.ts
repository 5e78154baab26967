/**
 * Random slopes in GLMMs against lme4's glmer (Laplace, nAGQ = 1), fixtures of
 * scripts/reference/glmm-slopes.R:
 *
 * - England Poisson counts with the offset log(child_pop_0_17_dfe) and a slope on the time trend
 *   t = year - 2015.5: `(1 + t | la_code) + (1 | year)` and `(t || la_code) + (1 | year)`;
 * - a simulated binomial `cbind(s, n - s) ~ x + (1 + x | g)` (40 groups x 15 rows, 8 trials).
 *
 * The Laplace deviance at fixed (theta, beta) equals glmer's devFunOnly to 1e-8 relative; the
 * optimum is compared with glmer's tight bobyqa fit polished by Nelder-Mead on its own devfun
 * (`optimum`): deviance 1e-6, beta 1e-4, se and variances 2e-3, correlations 1e-3 absolute.
 *
 * Latent shares: the references are computed in R from the definition (Johnson's
 * Tr(Z Sigma Z')/n per grouping factor; lambda from the null model with the same random terms and
 * offset), NOT with insight: insight drops a random slope whose variable is absent from X and
 * ignores the offset in lambda.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compare, decompose, decomposeMany, fit, VardecompError } from '../../src/index.js';
import type { RandomCorrelation } from '../../src/index.js';
import { closeRel } from '../helpers/fixtures.js';
import { fitFixture, loadGlmmFixture, type GlmmFixture } from '../helpers/glmm-fixtures.js';

interface SlopeFixture extends Omit<GlmmFixture, 'ranef'> {
  optimumVarcorr: Array<{ group: string; name?: string; variance?: number; names?: [string, string]; correlation?: number }>;
  ranef: Record<string, { levels: string[]; columns: Record<string, number[]> }>;
}

const cases = ['england-poisson-slope', 'england-poisson-slope-uncorr', 'binomial-slope'];

describe.each(cases)('glmer agreement with random slopes: %s', (name) => {
  const { fixture: f, m } = fitFixture(name);
  const fixture = f as unknown as SlopeFixture;

  it('Laplace deviance at fixed (theta, beta) equals devFunOnly to 1e-8, theta in lme4 order', () => {
    expect(fixture.laplaceAt.length).toBe(3);
    for (const pt of fixture.laplaceAt) {
      expect(closeRel(m.laplaceDeviance(pt.theta, pt.beta), pt.value, 1e-8)).toBe(true);
    }
    // keyed by name: lme4's names for the vector terms
    const pt = fixture.laplaceAt[1];
    const keyed = Object.fromEntries(Object.keys(m.theta).map((k, i) => [k, pt.theta[i]]));
    expect(m.laplaceDeviance(keyed, pt.beta)).toBe(m.laplaceDeviance(pt.theta, pt.beta));
  });

  it('theta names as lme4 names them (vector terms)', () => {
    const ours = Object.keys(m.theta);
    fixture.thetaNames.forEach((nm, i) => {
      if (nm.endsWith('.(Intercept)') && !ours[i].endsWith('.(Intercept)')) expect(`${ours[i]}.(Intercept)`).toBe(nm);
      else expect(ours[i]).toBe(nm);
    });
  });

  it('logLik, deviance, df, AIC at the optimum (1e-6); isSingular as glmer', () => {
    expect(m.converged).toBe(true);
    expect(closeRel(m.deviance, fixture.optimum.deviance, 1e-6)).toBe(true);
    expect(closeRel(m.logLik, -fixture.optimum.deviance / 2, 1e-6)).toBe(true);
    expect(m.deviance).toBeLessThanOrEqual(-2 * fixture.logLik + 1e-9 * Math.abs(fixture.logLik));
    expect(m.df).toBe(fixture.df);
    expect(closeRel(m.aic, fixture.optimum.deviance + 2 * fixture.df, 1e-6)).toBe(true);
    expect(m.isSingular).toBe(fixture.isSingular);
  });

  it('beta (1e-4), se (2e-3), variances (2e-3) and correlations (1e-3)', () => {
    expect(m.betaNames).toEqual(fixture.betaNames);
    fixture.betaNames.forEach((nm, j) => {
      expect(closeRel(m.beta[nm], fixture.optimum.beta[j], 1e-4)).toBe(true);
      expect(closeRel(m.se[nm], fixture.optimum.se[j], 2e-3)).toBe(true);
    });
    const refVar = fixture.optimumVarcorr.filter((r) => r.variance !== undefined);
    expect(m.varcorr.length).toBe(refVar.length);
    refVar.forEach((r, i) => {
      expect(m.varcorr[i].group).toBe(r.group);
      expect(m.varcorr[i].name).toBe(r.name);
      expect(closeRel(m.varcorr[i].variance, r.variance!, 2e-3)).toBe(true);
    });
    const refCorr = fixture.optimumVarcorr.filter((r) => r.correlation !== undefined);
    expect(m.correlations.length).toBe(refCorr.length);
    refCorr.forEach((r) => {
      const c = m.correlations.find((x: RandomCorrelation) => x.group === r.group && x.names[0] === r.names![0] && x.names[1] === r.names![1])!;
      expect(Math.abs(c.correlation - r.correlation!)).toBeLessThan(1e-3);
    });
  });

  it('conditional modes per column match glmer (at its own optimum, 2e-3 of their scale)', () => {
    for (const [g, ref] of Object.entries(fixture.ranef)) {
      const cols = Object.keys(ref.columns);
      for (const col of cols) {
        const ours = m.ranefArray(g, col);
        expect(ours.levels).toEqual(ref.levels);
        const scale = Math.max(...ref.columns[col].map(Math.abs));
        ref.columns[col].forEach((v, l) => expect(Math.abs(ours.values[l] - v)).toBeLessThan(2e-3 * scale));
      }
      const rec = m.ranef<Record<string, Record<string, number>> | Record<string, number>>(g);
      if (cols.length > 1) expect(Object.keys(rec)).toEqual(cols);
    }
    const mu = m.fitted({ type: 'response' });
    const scale = Math.max(...fixture.fittedResponse.map(Math.abs));
    fixture.fittedResponse.forEach((v, i) => expect(Math.abs(mu[i] - v)).toBeLessThan(2e-3 * scale));
  });

  it('summary prints the vector terms with a Corr column', () => {
    const text = m.summary();
    if (m.correlations.length > 0) expect(text).toMatch(/Corr/);
    for (const r of m.varcorr) expect(text).toContain(r.name!);
  });

  it("latent shares: Johnson's Tr(Z Sigma Z')/n per factor and lambda, against R by the definition (1e-4)", () => {
    const ref = fixture.latent;
    for (const approximation of ['lognormal', 'delta', 'trigamma'] as const) {
      if (fixture.family === 'binomial' && approximation !== 'lognormal') continue;
      const d = decompose(m, { approximation });
      const refShares = ref.shares[approximation];
      expect(Object.keys(d.shares).sort()).toEqual(Object.keys(refShares).filter((k) => k !== 'total').sort());
      for (const [k, v] of Object.entries(refShares)) {
        if (k === 'total') expect(closeRel(d.total, v, 1e-4)).toBe(true);
        else expect(closeRel(d.shares[k], v, 1e-4)).toBe(true);
      }
      for (const [g, v] of Object.entries(ref.random)) expect(closeRel(d.components.find((c) => c.key === g)!.variance!, v, 2e-4)).toBe(true);
      if (ref.null) {
        expect(closeRel(d.toJSON().latent!.lambda!, ref.null.lambda, 1e-5)).toBe(true);
        expect(closeRel(d.toJSON().latent!.nullModel!.sigma2, ref.null.sigma2, 2e-4)).toBe(true);
      }
      // The parts of the slope factor add to its Johnson total.
      const parts = d.toJSON().randomParts!;
      const g = Object.keys(ref.random)[0];
      const sum = parts.filter((p) => p.key === g).reduce((s, p) => s + p.variance, 0);
      expect(closeRel(sum, d.components.find((c) => c.key === g)!.variance!, 1e-12)).toBe(true);
    }
  });
});

describe('GLMM random slopes: bootstrap and invariances', () => {
  const { m } = fitFixture('binomial-slope');
  it('parametric bootstrap draws each level from N(0, Lambda Lambda\'): seeded and reproducible', () => {
    const d1 = decompose(m, { intervals: { n: 4, seed: 11, keepReplicates: true } });
    const d2 = decompose(m, { intervals: { n: 4, seed: 11, keepReplicates: true } });
    expect(d1.intervals!.succeeded).toBeGreaterThanOrEqual(3);
    expect(d2.intervals!.replicates).toEqual(d1.intervals!.replicates);
    const reps = d1.intervals!.replicates!.g.filter(Number.isFinite);
    // the replicates vary and sit around the estimate's size (share of g about 0.22)
    expect(new Set(reps).size).toBe(reps.length);
    for (const r of reps) expect(r).toBeGreaterThan(0.05);
    for (const r of reps) expect(r).toBeLessThan(0.6);
  });
  it('(x || g) is (1 | g) + (0 + x | g): one factor key, two terms', () => {
    const { m: u } = fitFixture('england-poisson-slope-uncorr');
    expect(u.groups).toEqual(['la_code', 'la_code', 'year']);
    expect(Object.keys(decompose(u).shares)).toEqual(['fixed', 'la_code', 'year', 'residual']);
    expect(u.correlations).toEqual([]);
  });
  it('sequential and Shapley stay E_UNSUPPORTED for a GLMM with slopes', () => {
    expect(() => decompose(m, { method: 'shapley' })).toThrow(/use method "components"/);
    expect(() => decompose(m, { method: 'sequential' })).toThrow(/use method "components"/);
  });
});

describe('a text-coded binomial response, as glmer reads a factor', () => {
  // binomial-text: "N" / "Y"; glmer's factor has levels N, Y: N is failure.
  const { fixture: f, m, table } = (() => {
    const r = fitFixture('binomial-text');
    return { ...r, table: loadGlmmFixture('binomial-text').table };
  })();
  const fixture = f as unknown as SlopeFixture;
  it('agrees with glmer: Laplace deviance at fixed points 1e-8, deviance 1e-6, beta 1e-4, se and variance 2e-3', () => {
    for (const pt of fixture.laplaceAt) expect(closeRel(m.laplaceDeviance(pt.theta, pt.beta), pt.value, 1e-8)).toBe(true);
    expect(closeRel(m.deviance, fixture.optimum.deviance, 1e-6)).toBe(true);
    fixture.betaNames.forEach((nm, j) => {
      expect(closeRel(m.beta[nm], fixture.optimum.beta[j], 1e-4)).toBe(true);
      expect(closeRel(m.se[nm], fixture.optimum.se[j], 2e-3)).toBe(true);
    });
    expect(closeRel(m.varcorr[0].variance, fixture.optimum.theta[0] ** 2, 2e-3)).toBe(true);
  });
  it('reports the level taken as failure, in the record, the diagnostics and the summary', () => {
    expect(m.responseCoding).toEqual({ failure: 'N', success: ['Y'] });
    expect(m.toJSON().responseCoding).toEqual({ failure: 'N', success: ['Y'] });
    const d = m.diagnostics.find((x) => x.code === 'RESPONSE_CODING')!;
    expect(d.level).toBe('info');
    expect(d.message).toMatch(/"N" is read as failure \(0\) and "Y" as success \(1\)/);
    expect(m.summary()).toMatch(/Response: "N" = failure, "Y" = success/);
  });
  it('equals the 0/1 and the boolean coding of the same response', () => {
    const rows = table.objects() as Array<Record<string, unknown>>;
    const m01 = fit(rows.map((r) => ({ ...r, answer: r.answer === 'Y' ? 1 : 0 })), 'answer ~ x + (1 | g)', { family: 'binomial' });
    const mb = fit(rows.map((r) => ({ ...r, answer: r.answer === 'Y' })), 'answer ~ x + (1 | g)', { family: 'binomial' });
    expect(m01.deviance).toBe(m.deviance);
    expect(mb.deviance).toBe(m.deviance);
    expect(m01.responseCoding).toBeUndefined();
  });
  it('explicit levels set the failure level (reversed: beta changes sign); a value outside them is E_LEVELS', () => {
    const rows = table.objects() as Array<Record<string, unknown>>;
    const rev = fit(rows, 'answer ~ x + (1 | g)', { family: 'binomial', levels: { answer: ['Y', 'N'] } });
    expect(rev.responseCoding).toEqual({ failure: 'Y', success: ['N'] });
    expect(rev.beta.x).toBeCloseTo(-m.beta.x, 6);
    expect(rev.deviance).toBeCloseTo(m.deviance, 6);
    expect(() => fit(rows, 'answer ~ x + (1 | g)', { family: 'binomial', levels: { answer: ['Y'] } })).toThrow(
      /Response "answer" row \d+ holds "N", which is not among the levels given/,
    );
  });
  it('more than two levels: the first is failure, the others merged as success, with a warning; missing values are dropped and reported', () => {
    const rows = (table.objects() as Array<Record<string, unknown>>).map((r, i) => ({
      ...r,
      answer: i === 5 ? null : r.answer === 'Y' ? (i % 2 === 0 ? 'Y' : 'Y2') : r.answer,
    }));
    const m3 = fit(rows, 'answer ~ x + (1 | g)', { family: 'binomial' });
    expect(m3.responseCoding).toEqual({ failure: 'N', success: ['Y', 'Y2'] });
    expect(m3.diagnostics.find((x) => x.code === 'RESPONSE_CODING')!.level).toBe('warning');
    expect(m3.nDropped).toBe(1);
    const ref = fit(rows.filter((r) => r.answer !== null).map((r) => ({ ...r, answer: r.answer === 'N' ? 0 : 1 })), 'answer ~ x + (1 | g)', {
      family: 'binomial',
    });
    expect(m3.deviance).toBe(ref.deviance);
  });
  it('types: categorical reads 0/1 numbers as a factor ("0" is failure)', () => {
    const rows = (table.objects() as Array<Record<string, unknown>>).map((r) => ({ ...r, answer: r.answer === 'Y' ? 1 : 0 }));
    const mc = fit(rows, 'answer ~ x + (1 | g)', { family: 'binomial', types: { answer: 'categorical' } });
    expect(mc.responseCoding).toEqual({ failure: '0', success: ['1'] });
    expect(mc.deviance).toBe(m.deviance);
  });
});

describe('decomposeMany and compare with a GLMM family', () => {
  const { table } = loadGlmmFixture('england-poisson');
  const rows = (table.objects() as Array<Record<string, number | string>>).map((r) => ({ ...r, half_n: Math.round(Number(r.cpp_start_n) / 2) }));
  const rhs = 'imd2019_avg_score + offset(log(child_pop_0_17_dfe)) + (1 | la_code) + (1 | year)';
  it('decomposeMany gives each outcome its latent-scale components, equal to decompose one by one', () => {
    const progress: number[] = [];
    const many = decomposeMany(rows, { outcomes: ['cpp_start_n', 'half_n'], rhs, family: 'poisson', onProgress: (k) => progress.push(k) });
    expect(progress).toEqual([1, 2]);
    expect(many.outcomes).toEqual(['cpp_start_n', 'half_n']);
    for (const [k, outcome] of many.outcomes.entries()) {
      const one = decompose(rows, `${outcome} ~ ${rhs}`, { family: 'poisson' });
      expect(many.results[k].shares).toEqual(one.shares);
      expect(many.results[k].toJSON().latent).toEqual(one.toJSON().latent);
    }
    // halving the counts doubles the Poisson variance's share (lambda about halves)
    expect(many.results[1].shares.residual).toBeGreaterThan(1.8 * many.results[0].shares.residual);
    expect(many.format()).toMatch(/Latent \(log\) scale: .*λ each outcome's null model's mean expected count/);
  });
  it('sequential and Shapley are E_UNSUPPORTED before any fit; Gaussian-only options are E_OPTION', () => {
    for (const method of ['sequential', 'shapley'] as const) {
      try {
        decomposeMany(rows, { outcomes: ['cpp_start_n'], rhs, family: 'poisson', method });
        expect.unreachable();
      } catch (e) {
        expect((e as VardecompError).code).toBe('E_UNSUPPORTED');
        expect((e as VardecompError).message).toMatch(/use method "components"/);
      }
    }
    expect(() => decomposeMany(rows, { outcomes: ['cpp_start_n'], rhs, family: 'poisson', reml: true })).toThrow(/Unknown option "reml" for decomposeMany/);
  });
  it('compare (sequential, components and Shapley side by side) refuses a GLMM with E_UNSUPPORTED', () => {
    try {
      compare(rows, `cpp_start_n ~ ${rhs}`, { family: 'poisson' } as never);
      expect.unreachable();
    } catch (e) {
      expect((e as VardecompError).code).toBe('E_UNSUPPORTED');
      expect((e as VardecompError).message).toMatch(/for a GLMM use decompose with method "components"/);
    }
  });
});

// VerbAgg (7,584 rows) with `(1 + Anger | item)`: a singular fit (the correlation at -1), about 13 s:
// it runs in `npm run test:glmm` (and CI).
describe.runIf(process.env.VARDECOMP_GLMM_ALL)('glmer agreement at a boundary: VerbAgg with (1 + Anger | item)', () => {
  // Fitted in beforeAll: a skipped suite's body still runs when the tests are collected.
  let m: ReturnType<typeof fitFixture>['m'];
  let fixture: SlopeFixture;
  beforeAll(() => {
    const r = fitFixture('verbagg-slope');
    m = r.m;
    fixture = r.fixture as unknown as SlopeFixture;
  }, 300_000);
  it('Laplace deviance at fixed (theta, beta) 1e-8; deviance 1e-6; isSingular as glmer', () => {
    for (const pt of fixture.laplaceAt) expect(closeRel(m.laplaceDeviance(pt.theta, pt.beta), pt.value, 1e-8)).toBe(true);
    expect(closeRel(m.deviance, fixture.optimum.deviance, 1e-6)).toBe(true);
    expect(fixture.isSingular).toBe(true);
    expect(m.isSingular).toBe(true);
  });
  it('beta 1e-4, variances 2e-3 (relative, or 1e-6 absolute for the slope near 0), correlation at -1', () => {
    fixture.betaNames.forEach((nm, j) => expect(closeRel(m.beta[nm], fixture.optimum.beta[j], 1e-4)).toBe(true));
    fixture.optimumVarcorr
      .filter((r) => r.variance !== undefined)
      .forEach((r, i) => expect(Math.abs(m.varcorr[i].variance - r.variance!)).toBeLessThan(Math.max(2e-3 * r.variance!, 1e-6)));
    expect(m.correlations[0].correlation).toBeLessThan(-0.999);
  });
  it('se 5e-3: at the boundary the Hessian-based covariance is sensitive (glmer\'s own se differ from the polished optimum\'s by 4e-3)', () => {
    fixture.betaNames.forEach((nm, j) => expect(closeRel(m.se[nm], fixture.optimum.se[j], 5e-3)).toBe(true));
  });
});
