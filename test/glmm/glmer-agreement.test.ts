/**
 * Agreement with lme4's glmer (Laplace, nAGQ = 1) on the fixtures of scripts/reference/glmm.R.
 *
 * - The Laplace deviance at fixed (theta, beta) equals glmer's devFunOnly function (tight PIRLS)
 *   to 1e-8 relative.
 * - The optimum is compared with `optimum` in the fixture: glmer's tightly converged fit
 *   (bobyqa, rhoend = 2e-10) polished by Nelder-Mead on glmer's own devFunOnly function. Polishing
 *   matters: on cbpp and VerbAgg bobyqa stops 9e-6 / 1e-5 above the minimum of its own deviance
 *   (beta off by 2e-4), which the polished optimum and this library both reach.
 * - logLik and deviance 1e-6 relative, beta 1e-4, se 2e-3 (lme4's covariance: the beta block of
 *   2 H^-1 from the finite-difference Hessian in theta and beta), variances 2e-3.
 */
import { describe, expect, it } from 'vitest';
import { closeRel } from '../helpers/fixtures.js';
import { fitFixture, thetaGroup } from '../helpers/glmm-fixtures.js';

// grouseticks (three terms, 186 dense rows) and VerbAgg (7,584 rows) take seconds each: they run in
// `npm run test:glmm` (and CI), the others in every `npm test`.
const cases = process.env.VARDECOMP_GLMM_ALL
  ? ['cbpp', 'england-poisson', 'england-poisson-olre', 'grouseticks', 'verbagg']
  : ['cbpp', 'england-poisson', 'england-poisson-olre'];

describe.each(cases)('glmer agreement: %s', (name) => {
  const { fixture, m } = fitFixture(name);
  const groups = fixture.thetaNames.map(thetaGroup);

  it('Laplace deviance at fixed (theta, beta) equals devFunOnly to 1e-8', () => {
    for (const pt of fixture.laplaceAt) {
      const theta = Object.fromEntries(groups.map((g, i) => [g, pt.theta[i]]));
      expect(closeRel(m.laplaceDeviance(theta, pt.beta), pt.value, 1e-8)).toBe(true);
    }
  });

  it('logLik, deviance, AIC and BIC at the optimum (1e-6)', () => {
    expect(m.converged).toBe(true);
    expect(closeRel(m.deviance, fixture.optimum.deviance, 1e-6)).toBe(true);
    expect(closeRel(m.logLik, -fixture.optimum.deviance / 2, 1e-6)).toBe(true);
    // glmer's own logLik sits at most its bobyqa shortfall above.
    expect(m.deviance).toBeLessThanOrEqual(fixture.minus2logLik + 1e-9 * fixture.minus2logLik);
    expect(m.df).toBe(fixture.df);
    expect(closeRel(m.aic, fixture.AIC - (fixture.minus2logLik - fixture.optimum.deviance), 1e-6)).toBe(true);
    expect(closeRel(m.bic, fixture.BIC - (fixture.minus2logLik - fixture.optimum.deviance), 1e-6)).toBe(true);
    expect(m.nobs).toBe(fixture.nobs);
    expect(m.isSingular).toBe(fixture.isSingular);
  });

  it('beta (1e-4), se (2e-3) and variances (2e-3)', () => {
    expect(m.betaNames).toEqual(fixture.betaNames);
    fixture.betaNames.forEach((nm, j) => {
      expect(closeRel(m.beta[nm], fixture.optimum.beta[j], 1e-4)).toBe(true);
      expect(closeRel(m.se[nm], fixture.optimum.se[j], 2e-3)).toBe(true);
    });
    groups.forEach((g, i) => {
      const v = m.varcorr.find((r) => r.group === g)!;
      expect(closeRel(v.variance, fixture.optimum.theta[i] ** 2, 2e-3)).toBe(true);
      expect(m.ngroups[g]).toBe(fixture.ngroups[g]);
    });
  });

  it('fitted values, conditional modes and the residual deviance match glmer (at its own optimum, 2e-3)', () => {
    const mu = m.fitted({ type: 'response' });
    const eta = m.fitted({ type: 'link' });
    const scale = Math.max(...fixture.fittedResponse.map(Math.abs));
    fixture.fittedResponse.forEach((v, i) => expect(Math.abs(mu[i] - v)).toBeLessThan(2e-3 * scale));
    fixture.fittedLink.forEach((v, i) => expect(Math.abs(eta[i] - v)).toBeLessThan(2e-3 * (1 + Math.abs(v))));
    for (const [g, modes] of Object.entries(fixture.ranef)) {
      const ours = m.ranef(g);
      const bscale = Math.max(...Object.values(modes).map(Math.abs));
      for (const [level, v] of Object.entries(modes)) expect(Math.abs(ours[level] - v)).toBeLessThan(2e-3 * bscale);
    }
    expect(closeRel(m.residualDeviance, fixture.devianceR, 2e-3)).toBe(true);
  });

  it('reports observation-level terms', () => {
    expect(m.observationLevel).toEqual(fixture.obsGroup ? [fixture.obsGroup] : []);
  });
});
