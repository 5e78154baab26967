/**
 * The specialised row kernels (Poisson/log, binomial/logit) against the family functions row by
 * row ({@link GeneralRowKernel}), over a grid of eta that reaches lme4's clamps. Where the family
 * functions lose digits (binomial `1 - mu` for large positive eta), the reference is the same
 * quantity at `-eta` with the outcome mirrored, where they are exact.
 */
import { describe, expect, it } from 'vitest';
import { binomialFamily, poissonFamily, type Family } from '../../src/family/family.js';
import { GeneralRowKernel, rowKernel, type RowKernel } from '../../src/family/row-kernel.js';

interface Row {
  mu: number;
  w: number;
  /** z - (eta - shift): the working residual (y - mu) / mu_eta. */
  r: number;
  dev: number;
  ll: number;
}

function oneRow(kernel: RowKernel, eta: number, shift: number): Row {
  const mu = new Float64Array(1);
  const w = new Float64Array(1);
  const z = new Float64Array(1);
  const sums = { dev: 0, logLik: 0 };
  kernel.evaluate(Float64Array.of(eta), Float64Array.of(shift), mu, w, z, sums);
  return { mu: mu[0], w: w[0], r: z[0] - (eta - shift), dev: sums.dev, ll: sums.logLik };
}

const row = (family: Family, y: number, pw: number, eta: number, general: boolean): Row => {
  const yy = Float64Array.of(y);
  const ww = Float64Array.of(pw);
  return oneRow(general ? new GeneralRowKernel(family, yy, ww) : rowKernel(family, yy, ww), eta, 0);
};

/** |a - b| within tol relative to the larger of |a|, |b| and `floor`. */
const near = (a: number, b: number, tol: number, floor = 0): boolean => Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), floor);

const grid: number[] = [];
for (let e = -40; e <= 40; e += 0.37) grid.push(e);
grid.push(0, 30, -30, 30.0000001, -30.0000001, 1e-9, -1e-9, -36, -36.05, -37, 700, -745);

describe('rowKernel selection', () => {
  it('specialises the two canonical families and keeps the family functions otherwise', () => {
    const y = Float64Array.of(1);
    expect(rowKernel(poissonFamily, y, y)).not.toBeInstanceOf(GeneralRowKernel);
    expect(rowKernel(binomialFamily, y, y)).not.toBeInstanceOf(GeneralRowKernel);
    const probit = { ...binomialFamily, link: 'probit' } as unknown as Family;
    expect(rowKernel(probit, y, y)).toBeInstanceOf(GeneralRowKernel);
  });
});

describe('Poisson/log row kernel', () => {
  it('equals the family functions row by row (1e-15 relative; log-likelihood 1e-15 of its scale)', () => {
    for (const [y, pw] of [
      [0, 1],
      [1, 1],
      [3, 1],
      [17, 2.5],
      [1000, 1],
    ]) {
      for (const eta of grid) {
        if (eta > 20) continue; // exp(eta) overflows any count's scale long before
        const k = row(poissonFamily, y, pw, eta, false);
        const g = row(poissonFamily, y, pw, eta, true);
        expect(k.mu).toBe(g.mu);
        expect(near(k.w, g.w, 1e-15)).toBe(true);
        expect(near(k.r, g.r, 1e-15)).toBe(true);
        // the kernel takes log mu = eta exactly; the family functions log(exp(eta)): within an
        // ulp of eta times y, against the size of the terms
        const scale = pw * (y * Math.abs(eta) + k.mu + y * Math.log(y + 1) + 1);
        expect(near(k.ll, g.ll, 2e-15, scale)).toBe(true);
        expect(near(k.dev, g.dev, 4e-15, 2 * scale)).toBe(true);
      }
    }
  });

  it('takes the family functions where the mean is clamped to eps', () => {
    for (const eta of [-36.05, -37, -745]) {
      const k = row(poissonFamily, 2, 1, eta, false);
      const g = row(poissonFamily, 2, 1, eta, true);
      expect(k).toEqual(g);
      expect(k.mu).toBe(2.220446049250313e-16);
    }
  });
});

describe('binomial/logit row kernel', () => {
  const cases: Array<[number, number]> = [
    [1, 1],
    [0, 1],
    [0.3, 10],
    [0.5, 2],
    [1, 7],
  ];
  it('equals the family functions row by row where they are exact (eta <= 0), to 1e-15', () => {
    for (const [y, pw] of cases) {
      for (const eta of grid) {
        if (eta > 0 || eta < -30) continue;
        const k = row(binomialFamily, y, pw, eta, false);
        const g = row(binomialFamily, y, pw, eta, true);
        expect(near(k.mu, g.mu, 1e-15)).toBe(true);
        expect(near(k.w, g.w, 2e-15)).toBe(true);
        expect(near(k.r, g.r, 2e-15, 1 / g.mu)).toBe(true);
        // against the size of the terms summed (pw |log mu|, pw |log(1 - mu)| <= pw (1 + |eta|))
        const scale = pw * (1 + Math.abs(eta));
        expect(near(k.ll, g.ll, 2e-15, scale)).toBe(true);
        expect(near(k.dev, g.dev, 4e-15, 2 * scale)).toBe(true);
      }
    }
  });

  it('for eta > 0 equals the family functions at -eta with the outcome mirrored (no cancellation in 1 - mu)', () => {
    for (const [y, pw] of cases) {
      for (const eta of grid) {
        if (eta <= 0 || eta > 30) continue;
        const k = row(binomialFamily, y, pw, eta, false);
        const g = row(binomialFamily, 1 - y, pw, -eta, true);
        expect(near(k.mu, 1 - g.mu, 1e-15)).toBe(true);
        expect(near(k.w, g.w, 2e-15)).toBe(true);
        expect(near(k.r, -g.r, 2e-15, 1 / (1 - g.mu))).toBe(true);
        // against the size of the terms summed (pw |log mu|, pw |log(1 - mu)| <= pw (1 + |eta|))
        const scale = pw * (1 + Math.abs(eta));
        expect(near(k.ll, g.ll, 2e-15, scale)).toBe(true);
        expect(near(k.dev, g.dev, 4e-15, 2 * scale)).toBe(true);
      }
    }
  });

  it('takes the family functions where lme4 clamps the mean (|eta| > 30)', () => {
    for (const [y, pw] of cases) {
      for (const eta of [30.0000001, -30.0000001, 40, -40, 700, -745]) {
        expect(row(binomialFamily, y, pw, eta, false)).toEqual(row(binomialFamily, y, pw, eta, true));
      }
    }
  });

  it('the 0/1 fast path gives the numbers of the general loop row for row', () => {
    const n = 200;
    const eta = Float64Array.from({ length: n + 1 }, (_, i) => (i % 2 ? 1 : -1) * (i * 0.17) + (i === 7 ? 40 : 0));
    const y = Float64Array.from({ length: n + 1 }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
    const pw = new Float64Array(n + 1).fill(1);
    y[n] = 0.5; // one row of two trials makes the whole vector take the general loop
    pw[n] = 2;
    const run = (len: number) => {
      const kern = rowKernel(binomialFamily, y.subarray(0, len), pw.subarray(0, len));
      const mu = new Float64Array(len);
      const w = new Float64Array(len);
      const z = new Float64Array(len);
      const sums = { dev: 0, logLik: 0 };
      kern.evaluate(eta.subarray(0, len), new Float64Array(len), mu, w, z, sums);
      return { mu, w, z, sums };
    };
    const fast = run(n);
    const general = run(n + 1);
    expect(Array.from(fast.mu)).toEqual(Array.from(general.mu.subarray(0, n)));
    expect(Array.from(fast.w)).toEqual(Array.from(general.w.subarray(0, n)));
    expect(Array.from(fast.z)).toEqual(Array.from(general.z.subarray(0, n)));
    const last = row(binomialFamily, 0.5, 2, eta[n], true);
    expect(fast.sums.dev + last.dev).toBeCloseTo(general.sums.dev, 10);
    expect(fast.sums.logLik + last.ll).toBeCloseTo(general.sums.logLik, 10); // last.ll includes log C(2, 1)
  });

  it('sums the rows: deviance and log-likelihood (with the constants log C(n, k)) of a whole vector', () => {
    const y = Float64Array.of(0.3, 1, 0, 0.5);
    const pw = Float64Array.of(10, 1, 1, 2);
    const eta = Float64Array.of(-0.4, 1.2, -2, 0.1);
    const shift = Float64Array.of(0.1, 0, -1, 0);
    const n = 4;
    const out = [0, 1].map((general) => {
      const kern = general ? new GeneralRowKernel(binomialFamily, y, pw) : rowKernel(binomialFamily, y, pw);
      const mu = new Float64Array(n);
      const w = new Float64Array(n);
      const z = new Float64Array(n);
      const sums = { dev: 0, logLik: 0 };
      kern.evaluate(eta, shift, mu, w, z, sums);
      return { mu, w, z, sums };
    });
    let ll = 0;
    for (let i = 0; i < n; i++) ll += binomialFamily.logLik(y[i], out[1].mu[i], pw[i]);
    expect(out[0].sums.logLik).toBeCloseTo(ll, 13);
    expect(out[0].sums.dev).toBeCloseTo(out[1].sums.dev, 13);
    for (let i = 0; i < n; i++) {
      expect(out[0].z[i]).toBeCloseTo(out[1].z[i], 13);
      expect(out[0].w[i]).toBeCloseTo(out[1].w[i], 15);
    }
    // dbinom(3, 10, plogis(-0.4), log = TRUE) + dbinom(1, 1, plogis(1.2), log = TRUE) + ...
    const p = (e: number): number => 1 / (1 + Math.exp(-e));
    const want =
      Math.log(120) + 3 * Math.log(p(-0.4)) + 7 * Math.log(1 - p(-0.4)) + Math.log(p(1.2)) + Math.log(1 - p(-2)) + Math.log(2) + Math.log(p(0.1)) + Math.log(1 - p(0.1));
    expect(out[0].sums.logLik).toBeCloseTo(want, 13);
  });
});
