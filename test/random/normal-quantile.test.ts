import { describe, expect, it } from 'vitest';
import { chiSquare1Quantile, normalQuantile } from '../../src/random/normal-quantile.js';

describe('normalQuantile / chiSquare1Quantile', () => {
  it('match R (qnorm, qchisq) to 1e-12', () => {
    // R 4.2: qnorm(c(0.975, 0.5, 0.001, 0.9999)); qchisq(c(0.95, 0.9, 0.99), 1)
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 14);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 11);
    expect(normalQuantile(0.9999)).toBeCloseTo(3.719016485455709, 11);
    expect(chiSquare1Quantile(0.95)).toBeCloseTo(3.841458820694124, 11);
    expect(chiSquare1Quantile(0.9)).toBeCloseTo(2.705543454095404, 11);
    expect(chiSquare1Quantile(0.99)).toBeCloseTo(6.634896601021214, 10);
  });
});
