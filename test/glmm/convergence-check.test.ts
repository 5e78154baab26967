/**
 * The convergence check of a GLMM fit judges the point it reports: a random-slope Poisson fit
 * whose chord search stopped just short of the optimum (its own finite-difference curvature in a
 * fixed effect was negative, so the check read a relative Newton step of Infinity) reaches
 * glmer's optimum and reports it as converged; a fit stopped by its evaluation budget is still
 * flagged. Reference: scripts/reference/glmm-convergence.R (test/fixtures/glmm/convergence-slope.json;
 * glmer's default tolPwrss, since 1e-13 fails on these data, so its optimum carries PIRLS noise
 * of about 1e-4), reduced from `npm run fuzz -- --glmm --seed 32 --only 2580`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/index.js';
import { prepareGlmm } from '../../src/glmm/glmm-model.js';
import { optimizeGlmm } from '../../src/glmm/optimize-glmm.js';
import type { GlmmFit } from '../../src/output/glmm-fit.js';

interface Reference {
  formula: string;
  family: 'poisson';
  data: Record<string, Array<number | string>>;
  theta: number[];
  deviance: number;
}

const ref: Reference = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/glmm/convergence-slope.json', import.meta.url)), 'utf8'),
);

describe('a random-slope GLMM whose search stops just short of the optimum', () => {
  const m = fit(ref.data, ref.formula, { family: ref.family }) as GlmmFit;

  it("reaches glmer's optimum and reports it as converged", () => {
    expect(m.diagnostics.filter((d) => d.code === 'NOT_CONVERGED')).toEqual([]);
    expect(m.converged).toBe(true);
    // at least as low as glmer's point, within its PIRLS noise of it
    expect(m.deviance).toBeLessThanOrEqual(ref.deviance + 1e-6);
    expect(Math.abs(m.deviance - ref.deviance) / ref.deviance).toBeLessThan(1e-6);
    Object.values(m.theta).forEach((t, i) => expect(Math.abs(t - ref.theta[i])).toBeLessThan(1e-3 * Math.max(1, Math.abs(ref.theta[i]))));
    expect(m.diagnostics.some((d) => d.code === 'SINGULAR')).toBe(true);
  });

  it('reaches the same point without the covariance (vcov: false, as bootstrap refits)', () => {
    const opt = optimizeGlmm(prepareGlmm(ref.data, ref.formula, { family: ref.family }), { vcov: false });
    expect(opt.converged).toBe(true);
    expect(Math.abs(opt.deviance - m.deviance)).toBeLessThan(1e-7 * m.deviance);
    expect(opt.vcov.every(Number.isNaN)).toBe(true);
  });

  it('still flags a fit stopped by its evaluation budget', () => {
    const short = fit(ref.data, ref.formula, { family: ref.family, control: { maxEvaluations: 20 } }) as GlmmFit;
    expect(short.converged).toBe(false);
    expect(short.diagnostics.some((d) => d.code === 'EVALUATION_LIMIT')).toBe(true);
    expect(short.deviance).toBeGreaterThan(m.deviance);
  });
});
