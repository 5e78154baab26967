/**
 * Family kernels against closed forms and R's values (lgamma, lchoose, trigamma, dpois, dbinom).
 */
import { describe, expect, it } from 'vitest';
import { binomialFamily, familyFor, poissonFamily } from '../../src/family/family.js';
import { logChoose, logGamma, trigamma } from '../../src/random/special-functions.js';

describe('special functions', () => {
  it('logGamma equals log((x-1)!) and R lgamma values', () => {
    let f = 0;
    for (let k = 1; k <= 170; k++) {
      expect(Math.abs(logGamma(k) - f)).toBeLessThanOrEqual(1e-13 * Math.max(1, f));
      f += Math.log(k);
    }
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(Math.abs(logGamma(1e6 + 1) - 12815518.3846582) / 12815518.3846582).toBeLessThan(1e-13); // lgamma(1e6 + 1) in R
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 13); // R: lgamma(0.1)
  });
  it('logChoose', () => {
    expect(Math.exp(logChoose(5, 2))).toBeCloseTo(10, 12);
    expect(logChoose(7, 0)).toBe(0);
    expect(logChoose(40, 20)).toBeCloseTo(Math.log(137846528820), 10);
  });
  it('trigamma: pi^2/6 at 1, recurrence, R values', () => {
    expect(trigamma(1)).toBeCloseTo((Math.PI * Math.PI) / 6, 14);
    expect(trigamma(0.5)).toBeCloseTo((Math.PI * Math.PI) / 2, 13);
    for (const x of [0.3, 2.5, 7, 40]) expect(trigamma(x) - trigamma(x + 1)).toBeCloseTo(1 / (x * x), 12);
    expect(trigamma(100)).toBeCloseTo(0.010050166663333571, 15); // R: trigamma(100)
  });
});

describe('families', () => {
  it('Poisson: log link, deviance residual and log-likelihood as dpois', () => {
    const f = familyFor('poisson');
    expect(f).toBe(poissonFamily);
    expect(f.linkinv(f.linkfun(3.7))).toBeCloseTo(3.7, 14);
    expect(f.muEta(Math.log(2))).toBeCloseTo(2, 14);
    expect(f.devResid(0, 2, 1)).toBeCloseTo(4, 14);
    expect(f.devResid(3, 2, 1)).toBeCloseTo(2 * (3 * Math.log(1.5) - 1), 14);
    expect(f.logLik(3, 2, 1)).toBeCloseTo(Math.log((Math.exp(-2) * 8) / 6), 14); // dpois(3, 2, log = TRUE)
    expect(f.linkinv(-800)).toBeGreaterThan(0);
  });
  it('Poisson latent variance: lognormal, delta, trigamma', () => {
    expect(poissonFamily.latentVariance(2, 'lognormal')).toBeCloseTo(Math.log(1.5), 15);
    expect(poissonFamily.latentVariance(2, 'delta')).toBe(0.5);
    expect(poissonFamily.latentVariance(1, 'trigamma')).toBeCloseTo((Math.PI * Math.PI) / 6, 14);
  });
  it('binomial: logit link, deviance residual and log-likelihood as dbinom', () => {
    const f = familyFor('binomial');
    expect(f).toBe(binomialFamily);
    expect(f.linkinv(0)).toBe(0.5);
    expect(f.muEta(0)).toBe(0.25);
    expect(f.linkinv(f.linkfun(0.2))).toBeCloseTo(0.2, 14);
    // 3 successes of 10 at p = 0.4: dbinom(3, 10, 0.4, log = TRUE)
    expect(f.logLik(0.3, 0.4, 10)).toBeCloseTo(Math.log(120 * 0.4 ** 3 * 0.6 ** 7), 13);
    expect(f.devResid(1, 0.8, 1)).toBeCloseTo(-2 * Math.log(0.8), 14);
    expect(f.devResid(0.3, 0.4, 10)).toBeCloseTo(20 * (0.3 * Math.log(0.3 / 0.4) + 0.7 * Math.log(0.7 / 0.6)), 13);
    expect(f.linkinv(50)).toBeLessThan(1);
    expect(f.latentVariance(Number.NaN, 'trigamma')).toBeCloseTo((Math.PI * Math.PI) / 3, 15);
  });
});

describe('muEtaIsMean', () => {
  it('holds to the bit for the log link (PIRLS reuses mu as d mu / d eta) and not for the logit', () => {
    expect(poissonFamily.muEtaIsMean).toBe(true);
    for (const eta of [-800, -40, -3.7, -1e-9, 0, 1e-12, 0.5, 2.3, 12, 700]) {
      expect(poissonFamily.muEta(eta)).toBe(poissonFamily.linkinv(eta));
    }
    expect(binomialFamily.muEtaIsMean).toBe(false);
    expect(binomialFamily.muEta(0)).not.toBe(binomialFamily.linkinv(0));
  });
});

describe('logLikConstant and logLikKernel', () => {
  it('add up to logLik', () => {
    for (const [y, mu, w] of [
      [0, 2.5, 1],
      [7, 3.2, 1],
      [150, 141.7, 2],
    ]) {
      expect(poissonFamily.logLikKernel(y, mu, w) + poissonFamily.logLikConstant(y, w)).toBeCloseTo(poissonFamily.logLik(y, mu, w), 10);
    }
    for (const [y, mu, w] of [
      [0, 0.3, 1],
      [1, 0.3, 1],
      [0.4, 0.35, 10],
      [1, 0.9, 7],
    ]) {
      expect(binomialFamily.logLikKernel(y, mu, w) + binomialFamily.logLikConstant(y, w)).toBeCloseTo(binomialFamily.logLik(y, mu, w), 12);
    }
    expect(poissonFamily.logLikConstant(3, 1)).toBeCloseTo(-Math.log(6), 14);
    expect(binomialFamily.logLikConstant(0.4, 10)).toBeCloseTo(Math.log(210), 12);
  });
});
