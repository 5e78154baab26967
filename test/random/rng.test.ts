import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng, fillNormal } from '../../src/random/index.js';
import { VardecompError } from '../../src/errors.js';

function moments(xs: Float64Array): { mean: number; variance: number; skew: number; kurt: number } {
  const n = xs.length;
  let mean = 0;
  for (const x of xs) mean += x;
  mean /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (const x of xs) {
    const d = x - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  const variance = m2 / (n - 1);
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { mean, variance, skew: m3 / m2 ** 1.5, kurt: m4 / (m2 * m2) };
}

function expectOptionError(f: () => unknown, fragment: string): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(VardecompError);
    expect((e as VardecompError).code).toBe('E_OPTION');
    expect((e as VardecompError).message).toContain(fragment);
    return;
  }
  throw new Error('expected a VardecompError');
}

describe('Rng: the xoshiro128** core', () => {
  it('matches the reference implementation from state {1, 2, 3, 4}', () => {
    const rng = new Rng(0);
    (rng as unknown as { s: Uint32Array }).s = Uint32Array.from([1, 2, 3, 4]);
    const out = Array.from({ length: 6 }, () => rng.nextUint32());
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('regression: first outputs for fixed seeds are stable', () => {
    const r = new Rng(1);
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([
      353638751, 1570176369, 4107854870, 500643640,
    ]);
    const u = new Rng(1);
    expect([u.uniform(), u.uniform(), u.uniform()]).toEqual([
      0.0823379335223523, 0.956434489164987, 0.4969321499539344,
    ]);
    const z = new Rng(1);
    const normals = [z.normal(), z.normal(), z.normal(), z.normal()];
    const expected = [-0.03311753377090449, -1.994917535724977, -1.9371069546471475, 2.0632909135498574];
    normals.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 14));
    const k = new Rng(2024);
    expect([k.int(10), k.int(10), k.int(1000), k.int(2 ** 40)]).toEqual([0, 3, 285, 576682312394]);
    expect([
      new Rng(0.5).nextUint32(),
      new Rng(-7).nextUint32(),
      new Rng(2 ** 40).nextUint32(),
      new Rng(1).fork('a').nextUint32(),
      new Rng(1).fork(3).nextUint32(),
      new Rng(1).split().nextUint32(),
    ]).toEqual([1670412828, 718041471, 3232502521, 2812358684, 33287361, 3498347709]);
  });
});

describe('Rng: seeding', () => {
  it('same seed gives the same stream; different seeds differ', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const c = new Rng(124);
    const sa = Array.from({ length: 20 }, () => a.nextUint32());
    const sb = Array.from({ length: 20 }, () => b.nextUint32());
    const sc = Array.from({ length: 20 }, () => c.nextUint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('accepts any finite number; 0 and -0 are the same seed; 0.5, 1, 2^32 + 1 are distinct', () => {
    expect(new Rng(-0).nextUint32()).toBe(new Rng(0).nextUint32());
    const firsts = [0, 1, 0.5, -1, 2 ** 32 + 1, 2 ** 32, 1e300, -1e-300, Number.MAX_SAFE_INTEGER].map((s) =>
      new Rng(s).nextUint32(),
    );
    expect(new Set(firsts).size).toBe(firsts.length);
  });

  it('rejects non-finite and non-number seeds with E_OPTION', () => {
    expectOptionError(() => new Rng(Number.NaN), 'seed');
    expectOptionError(() => new Rng(Number.POSITIVE_INFINITY), 'seed');
    expectOptionError(() => new Rng('1' as unknown as number), 'seed');
  });
});

describe('Rng: distributions', () => {
  it('uniform(): in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = new Rng(11);
    const xs = new Float64Array(100_000);
    for (let i = 0; i < xs.length; i++) xs[i] = rng.uniform();
    for (const x of xs) {
      expect(x >= 0 && x < 1).toBe(true);
      expect(Number.isInteger(x * 2 ** 53)).toBe(true);
    }
    const m = moments(xs);
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(m.variance - 1 / 12)).toBeLessThan(0.002);
  });

  it('normal(): mean 0, variance 1, skewness 0, kurtosis 3', () => {
    const xs = fillNormal(new Rng(12), new Float64Array(100_000));
    const m = moments(xs);
    expect(Math.abs(m.mean)).toBeLessThan(0.015);
    expect(Math.abs(m.variance - 1)).toBeLessThan(0.02);
    expect(Math.abs(m.skew)).toBeLessThan(0.05);
    expect(Math.abs(m.kurt - 3)).toBeLessThan(0.1);
    // a tail check: P(|z| > 1.96) = 0.05
    let tail = 0;
    for (const x of xs) if (Math.abs(x) > 1.96) tail++;
    expect(Math.abs(tail / xs.length - 0.05)).toBeLessThan(0.004);
  });

  it('fillNormal() equals successive normal() calls and returns its argument', () => {
    const out = new Float64Array(7);
    expect(fillNormal(new Rng(5), out)).toBe(out);
    const r = new Rng(5);
    expect(Array.from(out)).toEqual(Array.from({ length: 7 }, () => r.normal()));
  });

  it('int(n): uniform over [0, n) (chi-square, loose bound)', () => {
    const rng = new Rng(13);
    for (const n of [10, 7]) {
      const counts = new Array<number>(n).fill(0);
      const draws = 100_000;
      for (let i = 0; i < draws; i++) {
        const k = rng.int(n);
        expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
        counts[k]++;
      }
      const expected = draws / n;
      const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
      expect(chi2).toBeLessThan(35); // df <= 9: P(chi2 > 35) < 1e-4
    }
  });

  it('int(n): a range that is not a power of two shows no modulo bias', () => {
    // n = 3 * 2^30: with plain modulo, values below 2^30 would be twice as likely.
    const rng = new Rng(14);
    const n = 3 * 2 ** 30;
    let low = 0;
    const draws = 60_000;
    for (let i = 0; i < draws; i++) if (rng.int(n) < 2 ** 30) low++;
    expect(Math.abs(low / draws - 1 / 3)).toBeLessThan(0.01);
  });

  it('int(n): edge cases and validation', () => {
    const rng = new Rng(15);
    expect(rng.int(1)).toBe(0);
    for (let i = 0; i < 100; i++) {
      const a = rng.int(2 ** 32);
      expect(a >= 0 && a < 2 ** 32).toBe(true);
      const b = rng.int(2 ** 53);
      expect(Number.isSafeInteger(b) && b >= 0).toBe(true);
    }
    expectOptionError(() => rng.int(0), 'int');
    expectOptionError(() => rng.int(2.5), 'int');
    expectOptionError(() => rng.int(-3), 'int');
    expectOptionError(() => rng.int(2 ** 54), 'int');
  });

  it('property: any safe-integer seed gives uniforms in [0, 1) and ints in range', () => {
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 1, max: 1e9 }), (seed, n) => {
        const rng = new Rng(seed);
        const u = rng.uniform();
        const k = rng.int(n);
        return u >= 0 && u < 1 && k >= 0 && k < n && Number.isInteger(k);
      }),
    );
  });
});

describe('Rng: shuffle', () => {
  it('shuffles in place, returns the same array and keeps its elements', () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const out = new Rng(21).shuffle(xs);
    expect(out).toBe(xs);
    expect([...xs].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(xs).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    const typed = new Rng(21).shuffle(Float64Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(typed)).toEqual(xs);
  });

  it('gives every permutation of 3 elements about equally often', () => {
    const rng = new Rng(22);
    const counts = new Map<string, number>();
    const draws = 60_000;
    for (let i = 0; i < draws; i++) {
      const key = rng.shuffle(['a', 'b', 'c']).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c / draws - 1 / 6)).toBeLessThan(0.01);
  });
});

describe('Rng: child streams', () => {
  it('fork() does not advance the parent and is a function of (state, stream)', () => {
    const parent = new Rng(31);
    const before = parent.clone();
    const f1 = parent.fork('unit');
    parent.fork(7);
    const f2 = parent.fork('unit');
    expect(parent.nextUint32()).toBe(before.nextUint32());
    expect(Array.from({ length: 10 }, () => f1.nextUint32())).toEqual(
      Array.from({ length: 10 }, () => f2.nextUint32()),
    );
  });

  it('fork streams with different names, and the parent, are mutually uncorrelated', () => {
    const parent = new Rng(32);
    const streams = [parent.fork('a'), parent.fork('b'), parent.fork(0), parent.fork(1), parent.clone()];
    const n = 100_000;
    const draws = streams.map((s) => fillNormal(s, new Float64Array(n)));
    for (let i = 0; i < draws.length; i++) {
      for (let j = i + 1; j < draws.length; j++) {
        let sxy = 0;
        let sxx = 0;
        let syy = 0;
        for (let k = 0; k < n; k++) {
          sxy += draws[i][k] * draws[j][k];
          sxx += draws[i][k] ** 2;
          syy += draws[j][k] ** 2;
        }
        expect(Math.abs(sxy / Math.sqrt(sxx * syy))).toBeLessThan(0.015);
      }
    }
    expect(parent.fork('a').nextUint32()).not.toBe(parent.fork('b').nextUint32());
    expect(parent.fork(1).nextUint32()).not.toBe(parent.fork('1').nextUint32());
  });

  it('fork() validates its argument', () => {
    expectOptionError(() => new Rng(1).fork(Number.NaN), 'fork');
    expectOptionError(() => new Rng(1).fork({} as unknown as string), 'fork');
  });

  it('split() advances the parent; successive children differ', () => {
    const parent = new Rng(33);
    const ref = new Rng(33);
    const c1 = parent.split();
    const c2 = parent.split();
    for (let i = 0; i < 8; i++) ref.nextUint32();
    expect(parent.nextUint32()).toBe(ref.nextUint32());
    expect(c1.nextUint32()).not.toBe(c2.nextUint32());
  });

  it('clone() copies the state and the cached normal deviate', () => {
    const a = new Rng(34);
    a.normal(); // leaves a spare deviate in the cache
    const b = a.clone();
    expect([a.normal(), a.normal(), a.uniform()]).toEqual([b.normal(), b.normal(), b.uniform()]);
  });
});
