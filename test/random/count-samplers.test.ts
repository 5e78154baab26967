/** Poisson and binomial draws: moments over many seeded draws (deterministic) and edge cases. */
import { describe, expect, it } from 'vitest';
import { binomialDraw, poissonDraw } from '../../src/random/count-samplers.js';
import { Rng } from '../../src/random/rng.js';

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let s = 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const v = draw();
    s += v;
    ss += v * v;
  }
  const mean = s / n;
  return { mean, variance: (ss - n * mean * mean) / (n - 1) };
}

describe('count samplers', () => {
  it.each([0.3, 3.5, 9.9, 10, 47, 450])('Poisson(%f): mean and variance within 4 standard errors', (mu) => {
    const rng = new Rng(11);
    const n = 40000;
    const { mean, variance } = moments(() => poissonDraw(rng, mu), n);
    expect(Math.abs(mean - mu)).toBeLessThan(4 * Math.sqrt(mu / n));
    expect(Math.abs(variance / mu - 1)).toBeLessThan(4 * Math.sqrt(2 / n) + 0.02);
  });
  it.each([
    [1, 0.3],
    [12, 0.08],
    [40, 0.7],
    [200, 0.4],
  ])('binomial(%i, %f): mean and variance', (trials, p) => {
    const rng = new Rng(5);
    const n = 40000;
    const { mean, variance } = moments(() => binomialDraw(rng, trials, p), n);
    const v = trials * p * (1 - p);
    expect(Math.abs(mean - trials * p)).toBeLessThan(4 * Math.sqrt(v / n));
    expect(Math.abs(variance / v - 1)).toBeLessThan(0.05);
  });
  it('edges', () => {
    const rng = new Rng(1);
    expect(poissonDraw(rng, 0)).toBe(0);
    expect(binomialDraw(rng, 5, 0)).toBe(0);
    expect(binomialDraw(rng, 5, 1)).toBe(5);
    const k = binomialDraw(rng, 7, 0.5);
    expect(Number.isInteger(k) && k >= 0 && k <= 7).toBe(true);
  });
});
