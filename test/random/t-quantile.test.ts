import { describe, expect, it } from 'vitest';
import { studentTCdf, studentTQuantile } from '../../src/random/t-quantile.js';
import { normalCdf, normalQuantile } from '../../src/random/normal-quantile.js';

describe('studentTQuantile / studentTCdf', () => {
  it('match R (qt, pt) to 1e-11', () => {
    // R 4.2: qt(0.975, c(1, 2, 3, 4, 5, 9, 29, 149, 1000)); qt(0.9, 29); qt(0.995, 7); pt(-2.5, c(1, 29)); pt(1.3, 4.5)
    const q975: Array<[number, number]> = [
      [1, 12.706204736174694],
      [2, 4.3026527297494619],
      [3, 3.1824463052837078],
      [4, 2.7764451051977934],
      [5, 2.5705818356363137],
      [9, 2.2621571627982049],
      [29, 2.0452296421327034],
      [149, 1.9760131776891861],
      [1000, 1.9623390808264076],
    ];
    for (const [df, q] of q975) {
      expect(Math.abs(studentTQuantile(0.975, df) / q - 1)).toBeLessThan(1e-11);
      expect(Math.abs(studentTQuantile(0.025, df) / -q - 1)).toBeLessThan(1e-11);
    }
    expect(studentTQuantile(0.9, 29)).toBeCloseTo(1.3114336473015509, 11);
    expect(studentTQuantile(0.995, 7)).toBeCloseTo(3.4994832973504932, 10);
    expect(studentTCdf(-2.5, 1)).toBeCloseTo(0.12111894159084335, 13);
    expect(studentTCdf(-2.5, 29)).toBeCloseTo(0.0091626721692130344, 13);
    expect(studentTCdf(1.3, 4.5)).toBeCloseTo(0.87190195602798304, 12);
  });

  it('closed forms: Cauchy (1 df), 2 df, and the normal limit', () => {
    for (const p of [0.001, 0.025, 0.3, 0.5, 0.8, 0.975, 0.9995]) {
      expect(studentTQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 9);
      expect(studentTQuantile(p, 2)).toBeCloseTo((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 11);
      expect(studentTQuantile(p, Infinity)).toBe(normalQuantile(p));
      expect(studentTCdf(studentTQuantile(p, 6.5), 6.5)).toBeCloseTo(p, 13);
    }
    expect(studentTQuantile(0, 5)).toBe(-Infinity);
    expect(studentTQuantile(1, 5)).toBe(Infinity);
    expect(studentTQuantile(0.5, 0)).toBeNaN();
  });

  it('normalCdf inverts normalQuantile and matches R (pnorm)', () => {
    // R 4.2: pnorm(-1.5); pnorm(2.2)
    expect(normalCdf(-1.5)).toBeCloseTo(0.066807201268858071, 15);
    expect(normalCdf(2.2)).toBeCloseTo(0.98609655248650141, 15);
    for (const p of [1e-6, 0.0204, 0.5, 0.975]) expect(Math.abs(normalCdf(normalQuantile(p)) / p - 1)).toBeLessThan(1e-13);
  });
});
