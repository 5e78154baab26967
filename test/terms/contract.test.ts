/**
 * The contract every random-effects term kind meets (scalar intercept, scalar slope, intercept
 * and slope, two slopes; first or later in the engine; weighted or not; grouped or per-level
 * elimination): the engine's criterion equals a dense marginal-likelihood reference built with
 * ml-matrix from Z, lambda and W; the term's diagonal block equals the dense
 * `Lambda'Z'WZ Lambda + I`; theta round-trips between formula and engine order; rectifying
 * leaves `Lambda Lambda'` and the criterion unchanged; drawn effects have covariance
 * `sigma^2 Lambda Lambda'`.
 */
import { CholeskyDecomposition, Matrix, inverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { CrossProducts, type EngineDesign } from '../../src/objective/cross-products.js';
import { ProfiledCriterion } from '../../src/objective/profiled-criterion.js';
import { Rng } from '../../src/random/index.js';
import { covarianceFromTheta, fillLambda, rectifyTheta } from '../../src/terms/lambda.js';
import { RandomEffectsTerm } from '../../src/terms/random-effects-term.js';
import { RandomTerms } from '../../src/terms/random-terms.js';

type Kind = 'intercept' | 'slope' | 'intercept+slope' | 'two slopes';
const COLUMNS: Record<Kind, string[]> = {
  intercept: ['(Intercept)'],
  slope: ['x1'],
  'intercept+slope': ['(Intercept)', 'x1'],
  'two slopes': ['(Intercept)', 'x1', 'x2'],
};

/** A problem: the term kind on factor g (9 levels) plus a scalar intercept on h (4 levels). */
function problem(kind: Kind, first: boolean, weighted: boolean, balancedGrams: boolean, seed: number) {
  const rng = new Rng(seed);
  const rows: Array<{ g: number; h: number; x1: number; x2: number }> = [];
  for (let g = 0; g < 9; g++) {
    for (let h = 0; h < 4; h++) {
      const reps = balancedGrams ? 1 : 1 + rng.int(2);
      for (let r = 0; r < reps; r++) {
        // balanced: the same x values in every level (one Gram group); otherwise random.
        rows.push({ g, h, x1: balancedGrams ? h - 1.5 : rng.normal(), x2: balancedGrams ? (h % 2) - 0.5 + 0.1 * h : rng.uniform() });
      }
    }
  }
  const n = rows.length;
  const col = (k: 'x1' | 'x2') => Float64Array.from(rows, (r) => r[k]);
  const zOf = (name: string) => (name === '(Intercept)' ? null : col(name as 'x1' | 'x2'));
  const term = new RandomEffectsTerm('g', COLUMNS[kind], [...Array(9).keys()].map(String), Int32Array.from(rows, (r) => r.g), COLUMNS[kind].map(zOf));
  const other = new RandomEffectsTerm('h', ['(Intercept)'], ['0', '1', '2', '3'], Int32Array.from(rows, (r) => r.h), [null]);
  // Engine order: the term under test first, or after h.
  const terms = new RandomTerms([term, other], first ? [0, 1] : [1, 0]);
  const p = 2;
  const x = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    x[i] = 1;
    x[n + i] = rng.normal();
  }
  const y = Float64Array.from(rows, (r, i) => 1 + x[n + i] + r.g * 0.3 * (1 + r.x1) - r.h * 0.2 + rng.normal());
  const weights = weighted ? Float64Array.from(rows, () => 0.5 + 2 * rng.uniform()) : null;
  const design: EngineDesign = {
    n,
    p,
    x,
    factors: terms.engineOrder.map((i) => terms.terms[i].engineFactor()),
    weights,
  };
  return { terms, design, y, n, p, x, weights };
}

/** Dense Z (n x q, level-major within each term, formula order) and block-diagonal Lambda. */
function denseZLambda(terms: RandomTerms, thetaFormula: Float64Array) {
  const n = terms.terms[0].codes.length;
  const q = terms.terms.reduce((s, t) => s + t.levels.length * t.width, 0);
  const Z = Matrix.zeros(n, q);
  const Lam = Matrix.zeros(q, q);
  let off = 0;
  terms.terms.forEach((t, k) => {
    const S = t.width;
    const L = new Float64Array(S * S);
    fillLambda(thetaFormula, terms.formulaOffsets[k], S, L);
    for (let i = 0; i < n; i++) for (let s = 0; s < S; s++) Z.set(i, off + t.codes[i] * S + s, t.z[s] ? t.z[s]![i] : 1);
    for (let l = 0; l < t.levels.length; l++) for (let a = 0; a < S; a++) for (let b = 0; b < S; b++) Lam.set(off + l * S + a, off + l * S + b, L[a * S + b]);
    off += t.levels.length * S;
  });
  return { Z, Lam, q };
}

/** The profiled criterion from the marginal covariance Z Lambda Lambda' Z' + W^-1 (dense). */
function denseCriterion(pb: ReturnType<typeof problem>, thetaFormula: Float64Array, reml: boolean): number {
  const { n, p, x, y, weights, terms } = pb;
  const { Z, Lam } = denseZLambda(terms, thetaFormula);
  const ZL = Z.mmul(Lam);
  const V = ZL.mmul(ZL.transpose());
  for (let i = 0; i < n; i++) V.set(i, i, V.get(i, i) + (weights ? 1 / weights[i] : 1));
  const chol = new CholeskyDecomposition(V);
  const Lc = chol.lowerTriangularMatrix;
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += 2 * Math.log(Lc.get(i, i));
  const X = new Matrix(n, p);
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) X.set(i, j, x[j * n + i]);
  const Y = Matrix.columnVector(Array.from(y));
  const raw = X.transpose().mmul(chol.solve(X));
  const XtViX = raw.clone().add(raw.transpose()).mul(0.5);
  const beta = inverse(XtViX).mmul(X.transpose().mmul(chol.solve(Y)));
  const r = Y.clone().sub(X.mmul(beta));
  const r2 = r.transpose().mmul(chol.solve(r)).get(0, 0);
  let ldW = 0;
  if (weights) for (let i = 0; i < n; i++) ldW += Math.log(weights[i]);
  // The engine's criterion is on the scale where W enters as precision weights: log|V| + log|W| ... = ldL2 - ldW.
  const base = logDet + ldW - ldW;
  if (!reml) return base + n * (1 + Math.log((2 * Math.PI * r2) / n));
  const cx = new CholeskyDecomposition(XtViX).lowerTriangularMatrix;
  let ldX = 0;
  for (let i = 0; i < p; i++) ldX += 2 * Math.log(cx.get(i, i));
  return base + ldX + (n - p) * (1 + Math.log((2 * Math.PI * r2) / (n - p)));
}

function randomTheta(terms: RandomTerms, rng: Rng): Float64Array {
  const t = new Float64Array(terms.size);
  for (let k = 0; k < t.length; k++) t[k] = 0.2 + rng.uniform() - 0.3 * rng.uniform();
  terms.terms.forEach((tm, i) => tm.diagonal.forEach((d) => (t[terms.formulaOffsets[i] + d] = 0.3 + rng.uniform())));
  return t;
}

const KINDS: Kind[] = ['intercept', 'slope', 'intercept+slope', 'two slopes'];

describe.each(KINDS)('term contract: %s', (kind) => {
  for (const first of [true, false]) {
    for (const weighted of [false, true]) {
      for (const balancedGrams of [true, false]) {
        const label = `${first ? 'first' : 'second'} in the engine, ${weighted ? 'weighted' : 'unweighted'}, ${balancedGrams ? 'grouped' : 'per-level'}`;
        it(`criterion equals the dense marginal likelihood (REML and ML; ${label})`, () => {
          const pb = problem(kind, first, weighted, balancedGrams, 7 + KINDS.indexOf(kind));
          const cp = new CrossProducts(pb.design, pb.y);
          if (first && balancedGrams && !weighted) expect(cp.distinctCounts).toBe(1);
          const rng = new Rng(3);
          for (const reml of [true, false]) {
            const crit = new ProfiledCriterion(cp, reml);
            for (let rep = 0; rep < 3; rep++) {
              const th = randomTheta(pb.terms, rng);
              const got = crit.evaluate(pb.terms.toEngine(th));
              const want = denseCriterion(pb, th, reml);
              expect(Math.abs(got - want) / Math.abs(want)).toBeLessThan(1e-10);
            }
          }
        });
      }
    }
  }

  it('the first term\'s Gram blocks and each diagonal block match the dense Z\'WZ and Lambda\'Z\'WZ Lambda + I', () => {
    const pb = problem(kind, true, true, false, 21);
    const cp = new CrossProducts(pb.design, pb.y);
    const th = randomTheta(pb.terms, new Rng(5));
    const { Z, Lam } = denseZLambda(pb.terms, th);
    const W = Matrix.diag(Array.from(pb.weights!));
    const A = Lam.transpose().mmul(Z.transpose()).mmul(W).mmul(Z).mmul(Lam);
    const term = pb.terms.terms[0];
    const S = term.width;
    for (let l = 0; l < term.levels.length; l++) {
      const block = term.diagonalBlock(th, pb.terms.formulaOffsets[0], l, pb.weights);
      const ztwz = Z.transpose().mmul(W).mmul(Z);
      for (let a = 0; a < S; a++) {
        for (let b = 0; b < S; b++) {
          expect(block[a * S + b]).toBeCloseTo(A.get(l * S + a, l * S + b) + (a === b ? 1 : 0), 10);
          expect(cp.n1[l * S * S + a * S + b]).toBeCloseTo(ztwz.get(l * S + a, l * S + b), 10);
        }
      }
    }
  });

  it('theta round-trips between formula and engine order; names follow lme4', () => {
    const pb = problem(kind, false, false, true, 2);
    const th = randomTheta(pb.terms, new Rng(8));
    expect(Array.from(pb.terms.toFormula(pb.terms.toEngine(th)))).toEqual(Array.from(th));
    const names = pb.terms.thetaNames;
    expect(names.length).toBe(pb.terms.size);
    if (kind === 'intercept+slope') expect(names.slice(0, 3)).toEqual(['g.(Intercept)', 'g.x1.(Intercept)', 'g.x1']);
    if (kind === 'intercept') expect(names[0]).toBe('g');
    if (kind === 'slope') expect(names[0]).toBe('g.x1');
  });

  it('rectify makes the diagonal non-negative and changes neither Lambda Lambda\' nor the criterion', () => {
    const pb = problem(kind, true, false, false, 4);
    const crit = new ProfiledCriterion(new CrossProducts(pb.design, pb.y), true);
    const term = pb.terms.terms[0];
    const th = randomTheta(pb.terms, new Rng(9));
    // Flip every column of the term under test: diagonals negative.
    let k = 0;
    for (let c = 0; c < term.width; c++) for (let r = c; r < term.width; r++, k++) th[k] = -th[k];
    const before = covarianceFromTheta(th, 0, term.width, 1);
    const fBefore = crit.evaluate(pb.terms.toEngine(th));
    const rect = th.slice();
    rectifyTheta(rect, 0, term.width);
    for (const d of term.diagonal) expect(rect[d]).toBeGreaterThan(0);
    const after = covarianceFromTheta(rect, 0, term.width, 1);
    after.forEach((v, i) => expect(v).toBeCloseTo(before[i], 14));
    expect(crit.evaluate(pb.terms.toEngine(rect))).toBeCloseTo(fBefore, 9);
  });

  it('drawn effects have covariance sigma^2 Lambda Lambda\' (20,000 levels, within 4 standard errors)', () => {
    const S = COLUMNS[kind].length;
    const levels = 20_000;
    const term = new RandomEffectsTerm('g', COLUMNS[kind], Array.from({ length: levels }, (_, l) => `L${l}`), new Int32Array(levels).map((_, i) => i), COLUMNS[kind].map(() => null));
    const theta = Float64Array.from({ length: term.thetaSize }, (_, k) => [1.2, 0.4, -0.3, 0.8, 0.2, 0.5][k]);
    const sigma = 1.5;
    const out = new Float64Array(levels * S);
    const rng = new Rng(11);
    term.drawEffects(theta, 0, sigma, () => rng.normal(), out);
    const C = covarianceFromTheta(theta, 0, S, sigma);
    for (let a = 0; a < S; a++) {
      for (let b = 0; b <= a; b++) {
        let m = 0;
        for (let l = 0; l < levels; l++) m += out[l * S + a] * out[l * S + b];
        m /= levels;
        const se = Math.sqrt((C[a * S + a] * C[b * S + b] + C[a * S + b] ** 2) / levels);
        expect(Math.abs(m - C[a * S + b])).toBeLessThan(4 * se);
      }
    }
  });
});
