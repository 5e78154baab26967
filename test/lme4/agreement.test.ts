/**
 * Agreement with R's lme4 on the reference fixtures (scripts/reference/make-fixtures.R).
 * Tolerances (DEVELOPERS.md): criterion at fixed theta 1e-8 relative; at the optimum 1e-6;
 * theta and variance components 3e-4; beta and standard errors 1e-5.
 */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/index.js';
import { closeRel, loadFixtures, type FixtureFit } from '../helpers/fixtures.js';

const fixtures = loadFixtures();

function expectRel(got: number, want: number, rel: number, what: string, floor = 1e-8): void {
  if (!closeRel(got, want, rel, floor)) {
    expect.fail(`${what}: got ${got}, lme4 ${want} (rel diff ${(Math.abs(got - want) / Math.max(Math.abs(want), floor)).toExponential(2)} > ${rel})`);
  }
}

describe('fixtures are present', () => {
  it('has the reference cases', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
  });
});

for (const { fixture, table } of fixtures) {
  describe(`lme4 agreement: ${fixture.name} (${fixture.formula})`, () => {
    for (const kind of ['reml', 'ml'] as const) {
      const ref: FixtureFit = fixture[kind];
      const m = fit(table, fixture.formula, {
        reml: kind === 'reml',
        ...(fixture.weights ? { weights: fixture.weights } : {}),
      });
      const scale = Math.max(...ref.varcorr.map((v) => v.variance));

      it(`${kind}: criterion at fixed theta (1e-8)`, () => {
        for (const at of ref.criterionAt) expectRel(m.objective(at.theta), at.value, 1e-8, `criterion at ${JSON.stringify(at.theta)}`);
      });

      it(`${kind}: criterion at the optimum (1e-6) and likelihood summaries`, () => {
        const want = kind === 'reml' ? ref.REMLcrit! : ref.deviance!;
        const got = kind === 'reml' ? m.remlCriterion! : m.deviance!;
        expectRel(got, want, 1e-6, 'criterion');
        expect(got).toBeLessThanOrEqual(want + 1e-7 * Math.abs(want));
        expectRel(m.logLik, ref.logLik, 1e-6, 'logLik');
        expectRel(m.aic, ref.AIC, 1e-6, 'AIC');
        expectRel(m.bic, ref.BIC, 1e-6, 'BIC');
        expect(m.df).toBe(ref.df);
      });

      it(`${kind}: theta and variance components (3e-4)`, () => {
        for (const g of ref.thetaOrder) expectRel(m.theta[g], ref.theta[g], 3e-4, `theta[${g}]`, 1e-3);
        expect(m.varcorr.map((v) => v.group).sort()).toEqual(ref.varcorr.map((v) => v.group).sort());
        for (const v of ref.varcorr) {
          const got = m.varcorr.find((r) => r.group === v.group)!;
          expectRel(got.variance, v.variance, 3e-4, `variance[${v.group}]`, 1e-3 * scale);
        }
        expectRel(m.sigma, ref.sigma, 3e-4, 'sigma');
        expect(m.isSingular).toBe(ref.isSingular);
      });

      it(`${kind}: fixed effects and standard errors (1e-5)`, () => {
        expect(m.betaNames).toEqual(ref.betaNames);
        for (const b of ref.betaNames) {
          const floor = 1e-3 * Math.max(...ref.betaNames.map((n) => Math.abs(ref.se[n])));
          expectRel(m.beta[b], ref.beta[b], 1e-5, `beta[${b}]`, floor);
          expectRel(m.se[b], ref.se[b], 1e-5, `se[${b}]`);
        }
        ref.vcov.forEach((row, i) => row.forEach((v, j) => expectRel(m.vcov[i][j], v, 1e-4, `vcov[${i}][${j}]`, 1e-3 * Math.sqrt(Math.abs(ref.vcov[i][i] * ref.vcov[j][j])))));
      });

      it(`${kind}: frame, conditional modes, fitted values`, () => {
        expect(m.nobs).toBe(ref.nobs);
        expect(m.nDropped).toBe(fixture.nDropped);
        expect(m.ngroups).toEqual(ref.ngroups);
        for (const [g, levels] of Object.entries(ref.ranef)) {
          const got = m.ranef(g);
          const big = Math.max(...Object.values(levels).map(Math.abs), 1e-8);
          for (const [level, v] of Object.entries(levels)) expectRel(got[level], v, 3e-4, `ranef ${g}[${level}]`, big);
        }
        const f = m.fitted();
        const r = m.residuals();
        const ysd = Math.sqrt(scale);
        ref.fittedHead.forEach((v, i) => expect(Math.abs(f[i] - v)).toBeLessThan(1e-4 * ysd));
        ref.residualsHead.forEach((v, i) => expect(Math.abs(r[i] - v)).toBeLessThan(1e-4 * ysd));
      });
    }
  });
}
