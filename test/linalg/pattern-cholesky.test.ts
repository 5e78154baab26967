/**
 * The Cholesky factor and selected inverse on a closed column pattern against ml-matrix's dense
 * factor and inverse of the same matrices: arrowhead matrices (every leading column touches the
 * whole dense tail) and nested chains (each leading level below one level of the next block, as
 * an observation-level term under nested terms), with and without a dense tail.
 */
import { CholeskyDecomposition, Matrix, inverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { choleskyPatternInPlace, patternInverseFromCholesky } from '../../src/linalg/pattern-cholesky.js';
import { Rng } from '../../src/random/rng.js';
import { randomArrow } from '../helpers/arrow-matrix.js';

/** The full pattern of an arrowhead matrix: every leading column has all the trailing rows. */
function arrowPattern(m: number, d: number) {
  const colPtr = Int32Array.from({ length: d + 1 }, (_, i) => i * (m - d));
  const rowIdx = Int32Array.from({ length: d * (m - d) }, (_, p) => d + (p % (m - d)));
  return { colPtr, rowIdx };
}

/**
 * A nested chain: blocks of sizes `sizes` (each level's parent in the next block), then a dense
 * tail of `tail` levels each leading level touches a random subset of (closed over its ancestors).
 * Built as sum of rank-one terms over "rows" (a bottom level, its ancestors, some tail levels).
 */
function chain(sizes: number[], tail: number, seed: number) {
  const rng = new Rng(seed);
  const offs: number[] = [];
  let d = 0;
  for (const s of sizes) {
    offs.push(d);
    d += s;
  }
  const m = d + tail;
  const parent = sizes.map((s, t) => Int32Array.from({ length: s }, () => (t + 1 < sizes.length ? offs[t + 1] + rng.int(sizes[t + 1]) : -1)));
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++) a[i * m + i] = 1;
  const sets = Array.from({ length: d }, () => new Set<number>());
  for (let r = 0; r < 4 * m; r++) {
    const idx: number[] = [];
    let x = offs[0] + rng.int(sizes[0]);
    let t = 0;
    while (x >= 0) {
      idx.push(x);
      x = parent[t][x - offs[t]];
      t++;
    }
    for (let k = d; k < m; k++) if (rng.uniform() < 0.4) idx.push(k);
    const v = idx.map(() => 0.5 + rng.uniform());
    idx.forEach((p, s) => idx.forEach((q, u) => (a[p * m + q] += v[s] * v[u])));
    for (const p of idx) for (const q of idx) if (p < d && q > p) sets[p].add(q);
  }
  const colPtr = new Int32Array(d + 1);
  const rows: number[] = [];
  for (let i = 0; i < d; i++) {
    rows.push(...[...sets[i]].sort((x, y) => x - y));
    colPtr[i + 1] = rows.length;
  }
  return { a, m, d, colPtr, rowIdx: Int32Array.from(rows) };
}

function check(a: Float64Array, m: number, d: number, colPtr: Int32Array, rowIdx: Int32Array) {
  const A = new Matrix(Array.from({ length: m }, (_, i) => Array.from(a.subarray(i * m, (i + 1) * m))));
  const l = a.slice();
  expect(choleskyPatternInPlace(l, m, d, colPtr, rowIdx)).toBe(-1);
  const Lref = new CholeskyDecomposition(A).lowerTriangularMatrix;
  for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) expect(Math.abs(l[i * m + j] - Lref.get(i, j))).toBeLessThan(1e-12 * Math.sqrt(A.get(i, i)));
  const z = patternInverseFromCholesky(l, m, d, colPtr, rowIdx, new Float64Array(m * m).fill(Number.NaN));
  const ref = inverse(A);
  const inPattern = (i: number, j: number) => {
    if (i === j || (i >= d && j >= d)) return true;
    const [lo, hi] = i < j ? [i, j] : [j, i];
    if (lo >= d) return true;
    return rowIdx.subarray(colPtr[lo], colPtr[lo + 1]).includes(hi);
  };
  let scale = 0;
  for (let i = 0; i < m; i++) scale = Math.max(scale, Math.abs(ref.get(i, i)));
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) expect(Math.abs(z[i * m + j] - (inPattern(i, j) ? ref.get(i, j) : 0))).toBeLessThanOrEqual(1e-12 * scale);
}

describe('choleskyPatternInPlace and patternInverseFromCholesky', () => {
  it('factor and invert the 3 x 3 arrowhead example in closed form', () => {
    const l = Float64Array.of(4, 0, 0, 0, 9, 0, 2, 3, 6);
    const colPtr = Int32Array.of(0, 1, 2);
    const rowIdx = Int32Array.of(2, 2);
    expect(choleskyPatternInPlace(l, 3, 2, colPtr, rowIdx)).toBe(-1);
    [2, 0, 0, 0, 3, 0, 1, 1, 2].forEach((v, i) => i !== 1 && i !== 2 && i !== 5 && expect(l[i]).toBeCloseTo(v, 15));
    const z = patternInverseFromCholesky(l, 3, 2, colPtr, rowIdx);
    [45, 0, -18, 0, 20, -12, -18, -12, 36].forEach((v, i) => expect(z[i]).toBeCloseTo(v / 144, 15));
  });

  for (const [m, d] of [
    [1, 1],
    [6, 0],
    [6, 6],
    [40, 30],
    [156, 150],
  ] as const) {
    it(`equal the dense factor and inverse on an arrowhead matrix (m = ${m}, d = ${d})`, () => {
      const { colPtr, rowIdx } = arrowPattern(m, d);
      check(randomArrow(m, d, 3 * m + d), m, d, colPtr, rowIdx);
    });
  }

  for (const [sizes, tail] of [
    [[40, 12, 4], 0],
    [[60, 20], 5],
    [[30, 10, 3], 6],
  ] as const) {
    it(`equal the dense factor and inverse on a nested chain (blocks ${sizes.join(', ')}, dense tail ${tail})`, () => {
      const { a, m, d, colPtr, rowIdx } = chain([...sizes], tail, sizes[0] + tail);
      check(a, m, d, colPtr, rowIdx);
    });
  }

  it('returns the index of the first pivot that is not positive', () => {
    const { colPtr, rowIdx } = arrowPattern(8, 5);
    const a = randomArrow(8, 5, 3);
    a[2 * 8 + 2] = -1;
    expect(choleskyPatternInPlace(a, 8, 5, colPtr, rowIdx)).toBe(2);
    const b = randomArrow(8, 5, 4);
    b[7 * 8 + 7] = -1e6;
    expect(choleskyPatternInPlace(b, 8, 5, colPtr, rowIdx)).toBeGreaterThanOrEqual(5);
  });
});
