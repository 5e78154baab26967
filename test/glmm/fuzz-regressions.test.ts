/**
 * GLMM inputs that `npm run fuzz -- --glmm` (scripts/fuzz-glmm.ts) found broken, each reduced to a
 * small case: glmer references from scripts/reference/glmm-fuzz.R (test/fixtures/glmm/fuzz-cases.json,
 * tolPwrss = 1e-13), dense reference computations, or the error the input deserves.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decomposeMany, fit, Rng, VardecompError } from '../../src/index.js';
import { poissonDraw } from '../../src/random/count-samplers.js';
import { prepareGlmm } from '../../src/glmm/glmm-model.js';
import { Pirls } from '../../src/glmm/pirls.js';
import type { GlmmFit } from '../../src/output/glmm-fit.js';

interface FuzzFixture {
  name: string;
  formula: string;
  family: 'poisson' | 'binomial';
  data: Record<string, Array<number | string>>;
  theta: number[];
  beta: number[];
  betaNames: string[];
  deviance: number;
  se: number[];
}

const fixtures: FuzzFixture[] = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/glmm/fuzz-cases.json', import.meta.url)), 'utf8'),
).cases;
const fixture = (name: string): FuzzFixture => fixtures.find((f) => f.name === name)!;

describe('a covariate with a huge value under a random slope (PIRLS overflow)', () => {
  const c = fixture('slope-huge-covariate');
  it('a joint PIRLS run from the modes of a nearby theta equals one from u = 0', () => {
    const model = prepareGlmm(c.data, c.formula, { family: c.family });
    const warm = new Pirls(model);
    for (const t of [1, 1.05, 0.95, 1.1, 2, 0.5]) {
      const w = warm.run(Float64Array.of(t), null);
      const cold = new Pirls(model).run(Float64Array.of(t), null);
      expect(Number.isFinite(w.deviance), `theta ${t}`).toBe(true);
      expect(w.converged, `theta ${t}`).toBe(true);
      expect(w.deviance).toBeCloseTo(cold.deviance, 8);
      for (let j = 0; j < 2; j++) expect(w.beta[j]).toBeCloseTo(cold.beta[j], 6);
    }
  });
  it("reaches glmer's optimum (tight PIRLS)", () => {
    const m = fit(c.data, c.formula, { family: c.family }) as GlmmFit;
    expect(m.deviance).toBeLessThanOrEqual(c.deviance + 1e-6);
    expect(Math.abs(m.deviance - c.deviance) / c.deviance).toBeLessThan(1e-8);
    expect(Math.abs(Object.values(m.theta)[0] - c.theta[0]) / c.theta[0]).toBeLessThan(3e-4);
    c.betaNames.forEach((nm, j) => {
      expect(Math.abs(m.beta[nm] - c.beta[j])).toBeLessThan(1e-4 * c.se[j]);
      expect(Math.abs(m.se[nm] - c.se[j]) / c.se[j]).toBeLessThan(1e-3);
    });
  });
});

describe('quasi-complete separation: the covariance of beta from R_X, as glmer', () => {
  const c = fixture('separation-vcov-rx');
  const m = fit(c.data, c.formula, { family: c.family }) as GlmmFit;
  it('reports finite standard errors, with a VCOV_FROM_RX warning', () => {
    expect(m.diagnostics.map((d) => d.code)).toContain('VCOV_FROM_RX');
    for (const nm of m.betaNames) expect(Number.isFinite(m.se[nm]), nm).toBe(true);
    // regionN runs off to -Inf (glmer stops near -35, this fit further): its standard error is
    // huge in both and not comparable.
    expect(m.beta['regionN']).toBeLessThan(-30);
    expect(m.se['regionN']).toBeGreaterThan(1e6);
  });
  it("equals glmer's R_X-based standard errors of the estimable effects, and its deviance", () => {
    expect(Math.abs(m.deviance - c.deviance)).toBeLessThan(1e-6);
    expect(m.varcorr[0].variance).toBeLessThan(1e-8);
    for (const nm of ['(Intercept)', 'regionS']) {
      const j = c.betaNames.indexOf(nm);
      expect(Math.abs(m.beta[nm] - c.beta[j])).toBeLessThan(1e-5);
      expect(Math.abs(m.se[nm] - c.se[j]) / c.se[j]).toBeLessThan(1e-6);
    }
  });
});

/** Two rows of x near 1e6 under a random slope (fuzz input): the PIRLS solve carries noise far above 1e-9 in eta. */
const illConditioned = {
  y: [2, 0, 2, 0, 0, 0, 2, 0, 0, 0, 82, 1, 0, 0, 0, 10, 10, 2, 0, 2, 4, 29, 0, 0, 2, 0, 132, 0, 0, 27, 12, 21, 0, 15, 0, 3, 0, 16, 9, 0, 0, 3, 1, 6, 0, 0, 0, 153, 0, 155, 0, 0, 0, 0, 0, 10, 1, 208, 21, 38],
  z: [0.8822, -0.1188, -0.0102, 0.5605, -0.1895, 0.3902, 0.8488, 0.6372, -0.7057, -1.4033, -0.3485, 2.217, 0.6402, 2.1542, -0.5237, 1.5046, 2.2547, -0.9237, -1.0265, -0.7382, -0.2203, 1.4944, -2.3322, 0.2491, 0.2972, -0.2355, 0.8828, -1.6748, -1.3387, 0.313, -0.5829, -0.024, 1.0143, -0.6299, 0.7897, -0.1117, -0.6765, -0.1078, -0.7634, -2.1874, 1.2078, 0.0464, -1.3893, 0.7916, 0.5334, 0.8182, 0.5038, 0.1157, 1.2521, -0.2221, -0.3098, 0.3072, -1.6329, 1.0593, 0.5314, -0.5134, -0.0965, 1.3592, -1.1215, -1.5545],
  region: ["S", "E", "S", "N", "S", "E", "E", "S", "S", "N", "S", "E", "E", "S", "N", "N", "N", "S", "S", "S", "E", "E", "S", "N", "N", "N", "S", "S", "S", "E", "S", "E", "S", "E", "S", "N", "S", "E", "E", "N", "S", "S", "E", "S", "N", "N", "E", "S", "S", "N", "E", "N", "N", "E", "E", "E", "S", "S", "S", "N"],
  pop: [816, 2009, 28532, 855, 380, 9211, 256, 12452, 5893, 76489, 1020, 66778, 282753, 114, 93094, 327193, 182, 418183, 1554, 1220, 116, 37615, 201, 4367, 467, 449, 347, 91497, 5298, 2976, 59647, 10054, 133257, 161891, 1384, 85538, 18528, 37729, 16517, 5457, 2526, 160, 47729, 7495, 268, 109, 219743, 1944, 655, 161953, 548, 11746, 9837, 585667, 395658, 526, 1818, 5909, 412588, 163754],
  x: [-0.4114, -1.2945, 0.1775, -0.3655, -0.8932, -1.8825, 0.5705, -1.4371, -0.0662, -0.3212, 1.5444, -0.0011, -0.8245, -0.3546, -0.4966, 0.6341, 0.765, -0.4381, -0.1472, 0.3656, 0.5268, 1.2816, -1.8958, -0.6837, 0.7967, -0.9647, 1.6138, -1.058, -2.0242, 1090744.1344, 0.8871, 1.0922, -2.363, 0.8463, -1.01, 0.2282, -0.353, 0.7515, 0.575, -1.8417, -0.8153, 0.2845, -0.0916, 0.6616, -0.4491, -1.2514, -1.2664, 1.7226, -0.8202, 1.4943, -0.3401, -1.3851, -0.566, -1.0264, -0.6511, 965661.8145, -0.7029, 1.7862, 0.9781, 1.3327],
  g: [0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 5, 5, 5, 5, 6, 7, 7, 8, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 10, 11, 11, 12, 12, 13, 13, 13, 13, 13, 14, 14, 15, 16, 17, 17, 17, 17, 18, 18, 19, 19, 19, 19],
};

describe('PIRLS on an ill-conditioned system (a covariate of 1e6 under a random slope)', () => {
  const formula = 'y ~ z + region + offset(log(pop)) + (x | g) + (1 | region/g)';
  it('joint runs stop once the penalised deviance no longer falls beyond rounding, well before the iteration limit', () => {
    const model = prepareGlmm(illConditioned, formula, { family: 'poisson' });
    const pirls = new Pirls(model);
    for (const t of [0.5, 1, 2, 3]) {
      const r = pirls.run(new Float64Array(model.terms.size).fill(t), null);
      expect(r.converged, `theta ${t}`).toBe(true);
      expect(r.iterations, `theta ${t}`).toBeLessThan(45);
      expect(Number.isFinite(r.deviance)).toBe(true);
    }
  });
});

describe('a text binomial response holding a value that is not a label', () => {
  it('is E_NONNUMERIC naming the column, the row and the value (was a TypeError from the level sort)', () => {
    const rows = Array.from({ length: 12 }, (_, i) => ({ yt: i % 3 === 0 ? 'yes' : 'no', g: `g${i % 4}` }));
    (rows[5] as Record<string, unknown>).yt = Object.create(null);
    let err: unknown;
    try {
      fit(rows, 'yt ~ (1 | g)', { family: 'binomial' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VardecompError);
    expect((err as VardecompError).code).toBe('E_NONNUMERIC');
    expect((err as VardecompError).message).toBe('Response "yt" row 5 holds [object Object]: levels must be strings, numbers or booleans');
  });
});

describe('an offset beyond the link scale (an exposure given as itself, not its log)', () => {
  const rows = Array.from({ length: 12 }, (_, i) => ({ y: (i * 7) % 5, pop: 500 + 300 * i, g: `g${i % 4}` }));
  const codeOf = (f: () => unknown): [string, string] => {
    try {
      f();
    } catch (e) {
      if (e instanceof VardecompError) return [e.code, e.message];
      throw e;
    }
    return ['none', ''];
  };
  it('is E_NONNUMERIC naming the offset, the row and the value (the fit was NaN with an infinite deviance)', () => {
    expect(codeOf(() => fit(rows, 'y ~ (1 | g)', { family: 'poisson', offset: 'pop' }))).toEqual([
      'E_NONNUMERIC',
      'Offset (the option offset "pop") row 1 is 800: an offset is on the log link\'s scale, and beyond 700 in size its mean is not a number; give an exposure as its log (offset(log(pop)))',
    ]);
    expect(codeOf(() => fit(rows, 'y ~ offset(pop) + (1 | g)', { family: 'poisson' }))[1]).toMatch(/^Offset \(offset\(pop\)\) row 1 is 800:/);
    expect(codeOf(() => fit(rows, 'y ~ offset(log(pop)) + (1 | g)', { family: 'poisson', offset: rows.map((r) => -r.pop) }))[1]).toMatch(
      /^Offset \(the option offset \+ offset\(log\(pop\)\)\) row 1 is -793\.3/,
    );
  });
  it('the log of the exposure fits', () => {
    const m = fit(rows, 'y ~ offset(log(pop)) + (1 | g)', { family: 'poisson' }) as GlmmFit;
    expect(Number.isFinite(m.deviance)).toBe(true);
  });
});

describe('decomposeMany for a GLMM checks every outcome before fitting any', () => {
  it('a missing second outcome is E_COLUMN before the first outcome is fitted', () => {
    const rows = Array.from({ length: 24 }, (_, i) => ({ y: (i * 7) % 5, g: `g${i % 6}`, x: (i % 5) - 2 }));
    const progress: number[] = [];
    let err: unknown;
    try {
      decomposeMany(rows, { outcomes: ['y', 'nope'], rhs: 'x + (1 | g)', family: 'poisson', onProgress: (done) => progress.push(done) });
    } catch (e) {
      err = e;
    }
    expect((err as VardecompError).code).toBe('E_COLUMN');
    expect((err as VardecompError).message).toMatch(/"nope"/);
    expect(progress).toEqual([]);
  });
});

describe('no intercept and counts near 1e6 (the GLM start overshoots)', () => {
  const c = fixture('no-intercept-huge-counts');
  it('the GLM start halves a step that raises the deviance: finite, at the GLM optimum', () => {
    const model = prepareGlmm(c.data, c.formula, { family: c.family });
    const b = new Pirls(model).startBeta[0];
    // the Poisson GLM y ~ 0 + x: sum x_i (y_i - exp(b x_i)) = 0
    const score = (c.data.x as number[]).reduce((s, xi, i) => s + xi * ((c.data.y[i] as number) - Math.exp(b * xi)), 0);
    expect(Math.abs(score)).toBeLessThan(1e-6 * (c.data.y as number[]).reduce((s, v) => s + v, 0));
  });
  it("reaches glmer's optimum (was NaN with an infinite deviance)", () => {
    const m = fit(c.data, c.formula, { family: c.family }) as GlmmFit;
    expect(Math.abs(m.deviance - c.deviance) / c.deviance).toBeLessThan(1e-8);
    expect(Math.abs(Object.values(m.theta)[0] - c.theta[0]) / c.theta[0]).toBeLessThan(3e-4);
    expect(Math.abs(m.beta.x - c.beta[0])).toBeLessThan(1e-3 * c.se[0]);
    // The standard error is not compared: the Hessian here is on the edge of positive definite
    // (glmer's was not, and fell back to R_X), so its source differs with the last digits.
    expect(Number.isFinite(m.se.x)).toBe(true);
  });
});

describe('counts beyond 2^53 - 1 (no longer exact whole numbers)', () => {
  const rows = Array.from({ length: 12 }, (_, i) => ({ y: (i * 7) % 5, s: i % 4, f: 3, g: `g${i % 4}` }));
  const errorOf = (data: unknown, formula: string, family: 'poisson' | 'binomial'): string => {
    try {
      fit(data as never, formula, { family });
    } catch (e) {
      if (e instanceof VardecompError) return `${e.code}: ${e.message}`;
      throw e;
    }
    return 'no error';
  };
  it('a Poisson count of 6.4e63 or 2^53 is E_NONNUMERIC naming the row (was a fit with an infinite deviance)', () => {
    const big = rows.map((r, i) => (i === 3 ? { ...r, y: 6.379596422363545e63 } : r));
    expect(errorOf(big, 'y ~ (1 | g)', 'poisson')).toBe(
      'E_NONNUMERIC: Response "y" row 3 holds 6.379596422363545e+63: a Poisson count beyond 2^53 - 1 (9007199254740991) is not an exact whole number',
    );
    const edge = rows.map((r, i) => (i === 5 ? { ...r, y: 2 ** 53 } : r));
    expect(errorOf(edge, 'y ~ (1 | g)', 'poisson')).toMatch(/^E_NONNUMERIC: Response "y" row 5 holds 9007199254740992:/);
  });
  it('cbind successes of 2^53 likewise (the deviance was noise: 23364 vs 28772 recomputed)', () => {
    const big = rows.map((r, i) => (i === 2 ? { ...r, s: 2 ** 53 } : r));
    expect(errorOf(big, 'cbind(s, f) ~ (1 | g)', 'binomial')).toMatch(/^E_NONNUMERIC: Response "s" row 2 holds 9007199254740992: a number of successes beyond 2\^53 - 1/);
  });
});

describe('quasi-complete separation in a Poisson GLMM (no finite optimum)', () => {
  // y is 0 on every row with sep = 0 and a Poisson count otherwise: the deviance keeps falling as
  // the coefficient of sep grows, so a fit can only stop somewhere on the way (glmer too). The fit
  // must say so rather than report convergence.
  const rng = new Rng(3);
  const rows: Array<Record<string, number>> = [];
  for (let g = 0; g < 12; g++) {
    const b = 0.5 * rng.normal();
    for (let r = 0; r < 6; r++) {
      const x = rng.normal();
      const sep = r < 2 ? 0 : 1;
      rows.push({ g, x, sep, y: sep === 0 ? 0 : poissonDraw(rng, Math.exp(1 + 0.4 * x + b)) });
    }
  }
  for (const formula of ['y ~ x + sep + (1 | g)', 'y ~ x + sep + (x || g)']) {
    it(`is not reported as converged: ${formula}`, () => {
      const m = fit(rows, formula, { family: 'poisson', onWarning: () => {} }) as GlmmFit;
      expect(m.beta.sep).toBeGreaterThan(10);
      expect(m.converged).toBe(false);
      expect(m.diagnostics.some((d) => d.code === 'NOT_CONVERGED')).toBe(true);
    });
  }
  it('the same counts without the separation converge', () => {
    const mixed = rows.map((r, i) => ({ ...r, sep: i % 3 === 0 ? 0 : 1 }));
    const m = fit(mixed, 'y ~ x + sep + (1 | g)', { family: 'poisson' }) as GlmmFit;
    expect(m.converged).toBe(true);
    expect(m.diagnostics.some((d) => d.code === 'NOT_CONVERGED')).toBe(false);
  });
});
