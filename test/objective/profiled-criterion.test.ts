import { describe, expect, it } from 'vitest';
import { Matrix, CholeskyDecomposition, inverse } from 'ml-matrix';
import fc from 'fast-check';
import { CrossProducts, type EngineDesign } from '../../src/objective/cross-products.js';
import { ProfiledCriterion } from '../../src/objective/profiled-criterion.js';

/**
 * Dense reference: with Sigma = Z Lambda Lambda' Z' + W^-1 (n x n),
 *   ML    = log|Sigma| + n (1 + log(2 pi r2 / n)),
 *   REML  = log|Sigma| + log|X' Sigma^-1 X| + (n - p)(1 + log(2 pi r2 / (n - p))),
 * with r2 the GLS residual quadratic form. This is the marginal likelihood, computed without
 * any of the engine's blocking, so it checks the whole criterion independently.
 */
function denseCriterion(d: EngineDesign, y: Float64Array, theta: number[], reml: boolean): number {
  const { n, p } = d;
  const sigma = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) sigma.set(i, i, d.weights ? 1 / d.weights[i] : 1);
  d.factors.forEach((f, k) => {
    const t2 = theta[k] * theta[k];
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) if (f.codes[i] === f.codes[j]) sigma.set(i, j, sigma.get(i, j) + t2);
  });
  const chol = new CholeskyDecomposition(sigma);
  const L = chol.lowerTriangularMatrix;
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += 2 * Math.log(L.get(i, i));
  const X = new Matrix(n, p);
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) X.set(i, j, d.x[j * n + i]);
  const Y = Matrix.columnVector(Array.from(y));
  const SiX = chol.solve(X);
  const SiY = chol.solve(Y);
  const XtSiXraw = X.transpose().mmul(SiX);
  const XtSiX = XtSiXraw.clone().add(XtSiXraw.transpose()).mul(0.5);
  const beta = inverse(XtSiX).mmul(X.transpose().mmul(SiY));
  const r = Y.clone().sub(X.mmul(beta));
  const r2 = r.transpose().mmul(chol.solve(r)).get(0, 0);
  if (!reml) return logDet + n * (1 + Math.log((2 * Math.PI * r2) / n));
  const cx = new CholeskyDecomposition(XtSiX).lowerTriangularMatrix;
  let ldX = 0;
  for (let i = 0; i < p; i++) ldX += 2 * Math.log(cx.get(i, i));
  return logDet + ldX + (n - p) * (1 + Math.log((2 * Math.PI * r2) / (n - p)));
}

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomProblem(seed: number, opts: { weights: boolean; nfactors: number; unbalanced: boolean }) {
  const u = lcg(seed);
  const q = [7, 4, 3].slice(0, opts.nfactors);
  const rows: number[][] = [];
  for (let a = 0; a < q[0]; a++)
    for (let b = 0; b < (q[1] ?? 1); b++)
      for (let c = 0; c < (q[2] ?? 1); c++) {
        const reps = opts.unbalanced ? Math.floor(u() * 3) : 1;
        for (let r = 0; r < reps; r++) rows.push([a, b, c]);
      }
  // guarantee every level appears
  for (let a = 0; a < q[0]; a++) rows.push([a, a % (q[1] ?? 1), a % (q[2] ?? 1)]);
  const n = rows.length;
  const p = 2;
  const x = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    x[i] = 1;
    x[n + i] = u() * 4 - 2 + rows[i][0] * 0.1;
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = 3 + x[n + i] + rows[i][0] * 0.5 - (rows[i][1] ?? 0) * 0.7 + (u() - 0.5) * 2;
  const factors = q.map((ql, k) => ({ codes: Int32Array.from(rows, (r) => r[k]), nlevels: ql }));
  const weights = opts.weights ? Float64Array.from(rows, () => 0.3 + u() * 3) : null;
  return { design: { n, p, x, factors, weights } as EngineDesign, y };
}

describe('profiled criterion vs a dense marginal-likelihood reference', () => {
  const cases = [
    { weights: false, nfactors: 1, unbalanced: false },
    { weights: false, nfactors: 2, unbalanced: true },
    { weights: true, nfactors: 2, unbalanced: true },
    { weights: false, nfactors: 3, unbalanced: true },
    { weights: true, nfactors: 3, unbalanced: false },
  ];
  for (const c of cases) {
    it(`matches at random theta including 0 (${JSON.stringify(c)})`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 1e6 }),
          fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 5, noNaN: true })), {
            minLength: c.nfactors,
            maxLength: c.nfactors,
          }),
          fc.boolean(),
          (seed, theta, reml) => {
            const { design, y } = randomProblem(seed, c);
            const crit = new ProfiledCriterion(new CrossProducts(design, y), reml);
            const got = crit.evaluate(Float64Array.from(theta));
            const want = denseCriterion(design, y, theta, reml);
            expect(Math.abs(got - want) / Math.abs(want)).toBeLessThan(1e-10);
          },
        ),
        { numRuns: 25 },
      );
    });
  }

  it('solve() gives the GLS beta and the dense vcov', () => {
    const { design, y } = randomProblem(42, { weights: true, nfactors: 2, unbalanced: true });
    const theta = [1.3, 0.6];
    const sol = new ProfiledCriterion(new CrossProducts(design, y), true).solve(theta);
    const { n, p } = design;
    const sigma = Matrix.zeros(n, n);
    for (let i = 0; i < n; i++) sigma.set(i, i, 1 / design.weights![i]);
    design.factors.forEach((f, k) => {
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) if (f.codes[i] === f.codes[j]) sigma.set(i, j, sigma.get(i, j) + theta[k] ** 2);
    });
    const chol = new CholeskyDecomposition(sigma);
    const X = new Matrix(n, p);
    for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) X.set(i, j, design.x[j * n + i]);
    const raw = X.transpose().mmul(chol.solve(X));
    const XtSiX = raw.clone().add(raw.transpose()).mul(0.5);
    const beta = inverse(XtSiX).mmul(X.transpose().mmul(chol.solve(Matrix.columnVector(Array.from(y)))));
    for (let j = 0; j < p; j++) expect(sol.beta[j]).toBeCloseTo(beta.get(j, 0), 10);
    const inv = inverse(XtSiX);
    for (let i = 0; i < p; i++)
      for (let j = 0; j < p; j++) expect(sol.unscaledVcov[i * p + j]).toBeCloseTo(inv.get(i, j), 10);
    // Conditional modes: b = Lambda Lambda' Z' Sigma^-1 (y - X beta) for each term.
    const r = Matrix.columnVector(Array.from(y)).sub(X.mmul(beta));
    const sr = chol.solve(r);
    design.factors.forEach((f, k) => {
      const want = new Float64Array(f.nlevels);
      for (let i = 0; i < n; i++) want[f.codes[i]] += theta[k] ** 2 * sr.get(i, 0);
      for (let l = 0; l < f.nlevels; l++) expect(sol.b[k][l]).toBeCloseTo(want[l], 9);
    });
  });

  it('setResponse() reproduces a fresh pass for a new outcome', () => {
    const { design, y } = randomProblem(7, { weights: false, nfactors: 2, unbalanced: true });
    const y2 = y.map((v, i) => v * 0.5 + Math.sin(i));
    const cp = new CrossProducts(design, y);
    cp.setResponse(y2);
    const fresh = new CrossProducts(design, y2);
    const a = new ProfiledCriterion(cp, true).evaluate([0.8, 0.3]);
    const b = new ProfiledCriterion(fresh, true).evaluate([0.8, 0.3]);
    expect(a).toBe(b);
  });

  it('groups first-term levels by count: dense block is q2 + p + 1 wide', () => {
    const { design, y } = randomProblem(3, { weights: false, nfactors: 2, unbalanced: false });
    const cp = new CrossProducts(design, y);
    expect(cp.m).toBe(4 + 2 + 1);
    expect(cp.distinctCounts).toBe(1); // balanced 7 x 4 plus one extra row per level: all counts 5
  });
});

/** An observation-level first term (one level per row) over a grouping term, weighted. */
function observationLevelProblem(seed: number, n = 40) {
  const u = lcg(seed);
  const groups = 9;
  const group = Int32Array.from({ length: n }, (_, i) => (i < groups ? i : Math.floor(u() * groups)));
  const x = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    x[i] = 1;
    x[n + i] = u() * 2 - 1;
  }
  const y = Float64Array.from({ length: n }, (_, i) => 1 + x[n + i] + group[i] * 0.3 + u());
  const factors = [
    { codes: Int32Array.from({ length: n }, (_, i) => i), nlevels: n },
    { codes: group, nlevels: groups },
  ];
  const weights = Float64Array.from({ length: n }, () => 0.2 + u() * 4);
  return { design: { n, p: 2, x, factors, weights } as EngineDesign, y };
}

describe('per-level layout under an observation-level term', () => {
  it('factors the diagonal block of the grouping term in closed form and matches the dense reference', () => {
    const { design, y } = observationLevelProblem(7);
    const cp = new CrossProducts(design, y);
    expect(cp.pattern).not.toBeNull();
    const crit = new ProfiledCriterion(cp, false);
    for (const theta of [
      [0.7, 1.4],
      [0, 2],
      [2.5, 0.01],
    ]) {
      const got = crit.evaluate(Float64Array.from(theta));
      const want = denseCriterion(design, y, theta, false);
      expect(Math.abs(got - want) / Math.abs(want)).toBeLessThan(1e-10);
    }
    // the closed-form path was taken: the grouping term's 9 levels lead the dense block
    expect((crit as unknown as { lead: number }).lead).toBe(9);
  });

  it('sums the first term\'s log determinant over many factors as the dense reference does', () => {
    // 600 levels with theta1^2 n_j + 1 of about 2 to 1e4: the running products of the log
    // determinant pass 1e250 many times (the dense reference is good to about 2e-10 at theta1 = 40)
    const { design, y } = observationLevelProblem(5, 600);
    const crit = new ProfiledCriterion(new CrossProducts(design, y), false);
    for (const theta of [
      [1, 0.8],
      [40, 0.5],
    ]) {
      const got = crit.evaluate(Float64Array.from(theta));
      const want = denseCriterion(design, y, theta, false);
      expect(Math.abs(got - want) / Math.abs(want)).toBeLessThan(1e-9);
    }
  });

  it('reweight() after new weights and outcome equals cross-products built afresh', () => {
    const { design, y } = observationLevelProblem(11);
    const w = design.weights!;
    const cp = new CrossProducts(design, y);
    expect(cp.reweightable).toBe(true);
    const u = lcg(5);
    for (let i = 0; i < w.length; i++) w[i] = 0.1 + u() * 5;
    const y2 = Float64Array.from(y, (v) => v * 0.5 + u());
    cp.reweight(y2);
    const fresh = new CrossProducts(design, y2);
    expect(Array.from(cp.B)).toEqual(Array.from(fresh.B));
    expect(Array.from(cp.g)).toEqual(Array.from(fresh.g));
    expect(Array.from(cp.n1)).toEqual(Array.from(fresh.n1));
    expect(cp.ldW).toBeCloseTo(fresh.ldW, 12);
    const theta = Float64Array.of(0.9, 1.1);
    expect(new ProfiledCriterion(cp, true).evaluate(theta)).toBeCloseTo(denseCriterion(design, y2, [0.9, 1.1], true), 8);
     // without the log weights: the same blocks, ldW (and so the criterion) NaN, the same factorisation
    const parts = () => ({ ldL2: 0, ldRX2: 0, r2: 0, lx: new Float64Array(4), ly: new Float64Array(2) });
    const withLog = parts();
    new ProfiledCriterion(cp, true).fixedBlock(theta, withLog);
    cp.reweight(y2, false);
    expect(Array.from(cp.B)).toEqual(Array.from(fresh.B));
    expect(cp.ldW).toBeNaN();
    const crit = new ProfiledCriterion(cp, true);
    expect(crit.evaluate(theta)).toBe(Number.POSITIVE_INFINITY);
    const noLog = parts();
    expect(crit.fixedBlock(theta, noLog)).toBe(true);
    expect(noLog.ldL2).toBe(withLog.ldL2);
    expect(noLog.r2).toBe(withLog.r2);
  });

  it('reweight() is refused without weights', () => {
    const { design, y } = randomProblem(3, { weights: false, nfactors: 2, unbalanced: true });
    const cp = new CrossProducts(design, y);
    expect(cp.reweightable).toBe(false);
    expect(() => cp.reweight(y)).toThrow(RangeError);
  });
});

describe('perLevel layout request', () => {
  it('takes the per-level updates where the count groups would be chosen, with the same criterion', () => {
    const { design, y } = randomProblem(9, { weights: false, nfactors: 2, unbalanced: false });
    const grouped = new CrossProducts(design, y);
    expect(grouped.G).not.toBeNull();
    const perLevel = new CrossProducts({ ...design, perLevel: true }, y);
    expect(perLevel.G).toBeNull();
    expect(perLevel.pattern).not.toBeNull();
    for (const theta of [Float64Array.of(0.8, 1.7), Float64Array.of(0, 0.5)]) {
      const a = new ProfiledCriterion(grouped, true).evaluate(theta);
      const b = new ProfiledCriterion(perLevel, true).evaluate(theta);
      expect(Math.abs(a - b) / Math.abs(a)).toBeLessThan(1e-12);
    }
  });
});
