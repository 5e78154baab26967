/**
 * Profile-likelihood intervals for components shares: against the closed-form REML profile of a
 * balanced one-way design, a brute-force minimum of the extended deviance, and the properties
 * the construction promises (LR = 0 at the estimate, LR = cut-off at each end, one-sided at 0).
 */
import { describe, expect, it } from 'vitest';
import { fit } from '../../src/fit.js';
import { simulatePanel } from '../../src/simulate/index.js';
import { Rng } from '../../src/random/rng.js';
import { profileIntervals } from '../../src/decompose/profile-intervals.js';
import { fewLevelsCutoff } from '../../src/decompose/few-levels-cutoff.js';
import { ShareDeviance } from '../../src/decompose/share-deviance.js';
import { ShareProfile } from '../../src/decompose/share-profile.js';
import { minimizeEven } from '../../src/optimize/minimize.js';
import type { LmmFit } from '../../src/output/lmm-fit.js';

function engineTheta(f: LmmFit): Float64Array {
  const p = f.prepared;
  return Float64Array.from(p.engineOrder, (fi) => f.theta[p.spec.random[fi].group]);
}

function profileOf(f: LmmFit, hasFixed: boolean, level = 0.95) {
  return profileIntervals(
    { prepared: f.prepared, theta: engineTheta(f), beta: f.betaArray(), sigma: f.sigma, hasFixed, residualFactor: 1 },
    level,
  );
}

/** Balanced one-way data: a groups of n. */
function oneWay(a: number, n: number, sdU: number, seed: number) {
  const rng = new Rng(seed);
  const rows: { y: number; g: string }[] = [];
  for (let i = 0; i < a; i++) {
    const u = sdU * rng.normal();
    for (let j = 0; j < n; j++) rows.push({ y: 10 + u + rng.normal(), g: `g${i}` });
  }
  return rows;
}

/**
 * Closed-form REML profile of the group share in a balanced one-way layout, inverted by bisection.
 * The group share's cut-off is the few-levels one for a - 1 degrees of freedom at the variance ratio
 * 1 + n t (t = s / (1 - s), the only parameter left at share s); the residual share's is chi2_1.
 */
function closedFormInterval(rows: { y: number; g: string }[], a: number, n: number, level: number) {
  const groups = new Map<string, number[]>();
  for (const r of rows) (groups.get(r.g) ?? groups.set(r.g, []).get(r.g)!).push(r.y);
  const grand = rows.reduce((s, r) => s + r.y, 0) / rows.length;
  let ssb = 0;
  let ssw = 0;
  for (const ys of groups.values()) {
    const m = ys.reduce((s, y) => s + y, 0) / n;
    ssb += n * (m - grand) ** 2;
    for (const y of ys) ssw += (y - m) ** 2;
  }
  // -2 log REML likelihood profiled over sigma^2, as a function of t = theta^2.
  const dev = (t: number) => (a - 1) * Math.log(1 + n * t) + (a * n - 1) * Math.log(ssb / (1 + n * t) + ssw);
  const tHat = Math.max(0, ((ssb / (a - 1)) / (ssw / (a * (n - 1))) - 1) / n);
  const dMin = dev(tHat);
  const lr = (s: number) => dev(s / (1 - s)) - dMin;
  const sHat = tHat / (1 + tHat);
  const chi2 = 3.841458820694124;
  const cutAt = (s: number) => fewLevelsCutoff(a - 1, 1 + (n * s) / (1 - s), level);
  const root = (lo: number, hi: number, f: (s: number) => number) => {
    // f(lo) and f(hi) have opposite signs.
    const sign = Math.sign(f(lo));
    for (let i = 0; i < 200; i++) {
      const mid = 0.5 * (lo + hi);
      if (Math.sign(f(mid)) === sign) lo = mid;
      else hi = mid;
    }
    return 0.5 * (lo + hi);
  };
  const upper = root(sHat, 1 - 1e-12, (s) => lr(s) - cutAt(s));
  const lr0 = lr(0);
  const boundary = sHat === 0 || lr0 <= cutAt(0);
  const lower = boundary ? 0 : root(0, sHat, (s) => lr(s) - cutAt(s));
  // Residual share 1 - s: chi2_1 at both ends.
  const residualLower = 1 - root(sHat, 1 - 1e-12, (s) => lr(s) - chi2);
  const residualUpper = lr0 <= chi2 ? 1 : 1 - root(0, sHat, (s) => lr(s) - chi2);
  return { sHat, lower, upper, boundary, residualLower, residualUpper };
}

describe('profile intervals: balanced one-way closed form', () => {
  for (const [a, n, sdU, seed] of [
    [12, 6, 1, 1],
    [8, 4, 0.6, 2],
    [20, 3, 0.3, 5],
    [6, 10, 2, 7],
    [5, 20, 0.15, 3],
  ] as const) {
    it(`a = ${a}, n = ${n}, sd_u = ${sdU}: group and residual shares match the closed form to 1e-5`, () => {
      const rows = oneWay(a, n, sdU, seed);
      const f = fit(rows, 'y ~ 1 + (1|g)');
      const ref = closedFormInterval(rows, a, n, 0.95);
      const res = profileOf(f, false);
      const g = res.intervals[res.slots.indexOf('g')];
      const e = res.intervals[res.slots.indexOf('residual')];
      expect(res.shares[res.slots.indexOf('g')]).toBeCloseTo(ref.sHat, 6);
      expect(g.upper).toBeCloseTo(ref.upper, 5);
      expect(g.lower).toBeCloseTo(ref.lower, 5);
      expect(g.method).toBe(ref.boundary ? 'profile-boundary' : 'profile');
      expect(e.lower).toBeCloseTo(ref.residualLower, 5);
      expect(e.upper).toBeCloseTo(ref.residualUpper, 5);
    });
  }
});

describe('profile intervals: the extended deviance', () => {
  it('D*(theta, rho) equals a brute-force minimum over (sigma, beta) with beta_x fixed by the constraint', () => {
    const data = simulatePanel({ units: 25, periods: 6, seed: 4, missing: 0.1, covariateWithin: 0.4 });
    const f = fit(data, 'y ~ x + (1|unit) + (1|period)');
    const prepared = f.prepared;
    const dev = new ShareDeviance(prepared, true, 1);
    const crit = prepared.criterion;
    const x = prepared.design.x;
    const n = prepared.frame.nobs;
    let mx = 0;
    for (let i = 0; i < n; i++) mx += x[n + i] / n;
    let sxx = 0;
    for (let i = 0; i < n; i++) sxx += (x[n + i] - mx) ** 2 / (n - 1);
    for (const [t1, t2, rho] of [
      [1.1, 0.4, 0.3],
      [0.5, 0.05, 1.2],
      [2, 0.9, 0.01],
    ]) {
      const theta = Float64Array.of(t1, t2);
      const sol = crit.solve(theta);
      const U = sol.unscaledVcov; // (R_X'R_X)^{-1}
      // M = U^{-1} for p = 2.
      const det = U[0] * U[3] - U[1] * U[2];
      const M = [U[3] / det, -U[1] / det, -U[2] / det, U[0] / df1(U)];
      function df1(u: Float64Array) {
        return det;
      }
      const dfree = n - 2;
      const base = sol.ldL2 + sol.ldRX2 - prepared.cp.ldW;
      const D = (ls: number, b0: number, sign: number) => {
        const s2 = Math.exp(2 * ls);
        const b1 = sign * Math.sqrt((rho * s2) / sxx);
        const d0 = b0 - sol.beta[0];
        const d1 = b1 - sol.beta[1];
        const q = M[0] * d0 * d0 + 2 * M[1] * d0 * d1 + M[3] * d1 * d1;
        return base + dfree * Math.log(2 * Math.PI * s2) + (sol.r2 + q) / s2;
      };
      let best = Infinity;
      for (const sign of [1, -1]) {
        const r = minimizeEven((v) => D(v[0], v[1] + sol.beta[0], sign), [Math.log(sol.sigma), 0], { maxEvaluations: 20000, simplexTolerance: 1e-14 });
        best = Math.min(best, r.f);
      }
      expect(dev.deviance(theta, rho)).toBeCloseTo(best, 7);
    }
    // At the fit, D* is the REML criterion.
    const theta = engineTheta(f);
    const rhoHat = dev.fixedVariance(f.betaArray()) / f.sigma ** 2;
    expect(dev.deviance(theta, rhoHat)).toBeCloseTo(crit.evaluate(theta), 8);
  });
});

describe('profile intervals: properties on panels', () => {
  const data = simulatePanel({ units: 40, periods: 6, seed: 11, missing: 0.15 });
  const f = fit(data, 'y ~ x + (1|unit) + (1|period)');
  const res = profileOf(f, true);

  it('every interval contains its estimate, within [0, 1]', () => {
    res.slots.forEach((k, j) => {
      const iv = res.intervals[j];
      expect(iv.lower).toBeLessThanOrEqual(res.shares[j]);
      expect(iv.upper).toBeGreaterThanOrEqual(res.shares[j]);
      expect(iv.lower).toBeGreaterThanOrEqual(0);
      expect(iv.upper).toBeLessThanOrEqual(1);
    });
  });

  it('the likelihood-ratio statistic is 0 at the estimate and the cut-off at each interior end', () => {
    const dev = new ShareDeviance(f.prepared, true, 1);
    const theta = engineTheta(f);
    const rhoHat = dev.fixedVariance(f.betaArray()) / f.sigma ** 2;
    const dHat = dev.deviance(theta, rhoHat);
    // Levels and degrees of freedom between them: x is a unit-level covariate (the simulator's
    // default), so the unit term loses the intercept and x (40 - 2), the period term the intercept
    // (6 - 1); rows per level from the 15% missing panel.
    const n = f.prepared.frame.nobs;
    const levels: Record<string, number> = { unit: 40, period: 6 };
    const df: Record<string, number> = { unit: 38, period: 5 };
    res.slots.forEach((k, j) => {
      const prof = new ShareProfile(dev, theta, rhoHat, dHat, j);
      expect(prof.lr(res.shares[j])).toBeLessThan(1e-6);
      const iv = res.intervals[j];
      const cutAt = (s: number) =>
        k in levels ? fewLevelsCutoff(df[k], 1 + (n / levels[k]) * prof.partAt(s), 0.95) : 3.841458820694124;
      prof.reset();
      const lrUpper = prof.lr(iv.upper);
      expect(lrUpper).toBeCloseTo(cutAt(iv.upper), 4);
      if (k in levels) expect(cutAt(iv.upper)).toBeGreaterThan(3.8415);
      if (iv.method === 'profile' && iv.lower > 0) {
        prof.reset();
        const lrLower = prof.lr(iv.lower);
        const target = k in levels ? cutAt(iv.lower) : (iv.lrAtZero ?? Infinity) > 3.841458820694124 ? 3.841458820694124 : 2.705543454095404;
        expect(lrLower).toBeCloseTo(target, 4);
      }
    });
  });

  it('a covariate constant within units takes a degree of freedom from the unit term', () => {
    const d = simulatePanel({ units: 12, periods: 6, seed: 21 });
    const g = fit(d, 'y ~ x + (1|unit) + (1|period)');
    const r = profileOf(g, true);
    const dev = new ShareDeviance(g.prepared, true, 1);
    const theta = engineTheta(g);
    const rhoHat = dev.fixedVariance(g.betaArray()) / g.sigma ** 2;
    const j = r.slots.indexOf('unit');
    const prof = new ShareProfile(dev, theta, rhoHat, dev.deviance(theta, rhoHat), j);
    const upper = r.intervals[j].upper;
    const lr = prof.lr(upper);
    // 12 units less the intercept and x (x is a unit-level covariate by default): 10 degrees of freedom.
    expect(lr).toBeCloseTo(fewLevelsCutoff(10, 1 + 6 * prof.partAt(upper), 0.95), 4);
    expect(Math.abs(lr - fewLevelsCutoff(11, 1 + 6 * prof.partAt(upper), 0.95))).toBeGreaterThan(1e-3);
  });

  it('the shares at the fit are the components shares', () => {
    const v = f.varcorr;
    const total = res.shares.reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 12);
    const unit = v.find((r) => r.group === 'unit')!.variance;
    const sig2 = f.sigma ** 2;
    const dev = new ShareDeviance(f.prepared, true, 1);
    const vf = dev.fixedVariance(f.betaArray());
    const period = v.find((r) => r.group === 'period')!.variance;
    expect(res.shares[res.slots.indexOf('unit')]).toBeCloseTo(unit / (unit + period + vf + sig2), 10);
  });

  it('a singular fit gets a one-sided interval [0, upper] for the zero share', () => {
    // Period effects absent and the period variance estimated at 0.
    let found = false;
    for (let seed = 1; seed < 40 && !found; seed++) {
      const d = simulatePanel({ units: 30, periods: 5, seed, shares: { unit: 0.5, fixed: 0.15, period: 0, residual: 0.35 } });
      const g = fit(d, 'y ~ x + (1|unit) + (1|period)');
      if (g.theta.period !== 0) continue;
      found = true;
      const r = profileOf(g, true);
      const iv = r.intervals[r.slots.indexOf('period')];
      expect(iv.method).toBe('profile-boundary');
      expect(iv.lower).toBe(0);
      expect(iv.upper).toBeGreaterThan(0);
      expect(iv.upper).toBeLessThan(0.5);
    }
    expect(found).toBe(true);
  });
});
