/**
 * The blocked Cholesky kernels against a naive textbook reference (column by column, no
 * blocking), on sizes on both sides of the block boundaries, odd sizes and the tiles' edges.
 */
import { describe, expect, it } from 'vitest';
import {
  CHOLESKY_BLOCK,
  choleskyBlockUnblocked,
  choleskyBlocked,
  syrkLowerPanel,
  trsmPanelLower,
} from '../../src/linalg/blocked-cholesky.js';
import { BLOCKED_FROM, choleskyInPlace } from '../../src/linalg/dense-cholesky.js';
import { Rng } from '../../src/random/rng.js';

/** A random SPD matrix `M M' / m + I` (row-major, full), and marks in the strict upper triangle. */
function spd(m: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const r = Float64Array.from({ length: m * m }, () => rng.normal());
  const a = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += r[i * m + k] * r[j * m + k];
      a[i * m + j] = s / m + (i === j ? 1 : 0);
    }
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) a[i * m + j] = 1000 + i - j; // never read
  return a;
}

/** Textbook Cholesky, column-oriented, into a fresh array (lower triangle; upper zero). */
function naive(a: Float64Array, m: number): Float64Array {
  const l = new Float64Array(m * m);
  for (let j = 0; j < m; j++) {
    let d = a[j * m + j];
    for (let k = 0; k < j; k++) d -= l[j * m + k] ** 2;
    l[j * m + j] = Math.sqrt(d);
    for (let i = j + 1; i < m; i++) {
      let s = a[i * m + j];
      for (let k = 0; k < j; k++) s -= l[i * m + k] * l[j * m + k];
      l[i * m + j] = s / l[j * m + j];
    }
  }
  return l;
}

function maxLowerDiff(x: Float64Array, y: Float64Array, m: number): number {
  let e = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) e = Math.max(e, Math.abs(x[i * m + j] - y[i * m + j]));
  return e;
}

function upperUntouched(x: Float64Array, m: number): boolean {
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) if (x[i * m + j] !== 1000 + i - j) return false;
  return true;
}

describe('choleskyBlocked', () => {
  const B = CHOLESKY_BLOCK;
  // one per size class: tiny, odd, either side of one and two block boundaries, the tiles' edges
  const sizes = [1, 2, 3, 5, 7, B - 1, B, B + 1, B + 3, 2 * B - 1, 2 * B, 2 * B + 1, 3 * B + 5, 301];
  for (const m of sizes) {
    it(`matches the naive factorisation for m = ${m} (default block)`, () => {
      const a = spd(m, m);
      const ref = naive(a, m);
      const got = a.slice();
      expect(choleskyBlocked(got, m)).toBe(-1);
      expect(maxLowerDiff(got, ref, m)).toBeLessThan(1e-12);
      expect(upperUntouched(got, m)).toBe(true);
    });
  }

  it('is exact for every small block width on odd and boundary sizes', () => {
    for (const block of [1, 2, 3, 4, 5, 8])
      for (const m of [block - 1, block, block + 1, 2 * block + 1, 4 * block + 3].filter((x) => x > 0)) {
        const a = spd(m, 100 + m);
        const got = a.slice();
        expect(choleskyBlocked(got, m, block)).toBe(-1);
        expect(maxLowerDiff(got, naive(a, m), m)).toBeLessThan(1e-12);
        expect(upperUntouched(got, m)).toBe(true);
      }
  });

  it('reconstructs A = L L\' at the engine size class (m = 1,150)', () => {
    const m = 1150;
    const rng = new Rng(7);
    // diagonally dominant SPD, cheap to build at this size
    const a = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) a[i * m + j] = rng.uniform() - 0.5;
    for (let i = 0; i < m; i++) a[i * m + i] = m;
    const l = a.slice();
    expect(choleskyBlocked(l, m)).toBe(-1);
    let e = 0;
    for (const i of [0, 1, 63, 64, 65, 577, 1149])
      for (const j of [0, 1, 64, 128, 500, 1149]) {
        if (j > i) continue;
        let s = 0;
        for (let k = 0; k <= j; k++) s += l[i * m + k] * l[j * m + k];
        e = Math.max(e, Math.abs(s - a[i * m + j]));
      }
    expect(e).toBeLessThan(1e-9);
  });

  it('reports the first non-positive pivot, as the unblocked factorisation does', () => {
    for (const [m, bad] of [
      [150, 0],
      [150, 63],
      [150, 64],
      [150, 100],
      [150, 149],
    ]) {
      const a = spd(m, 3);
      // make row/column `bad` a combination of the previous ones (or zero at 0): pivot `bad` is 0
      for (let j = 0; j < m; j++) {
        if (j === bad) continue;
        const v = bad === 0 ? 0 : a[bad > j ? bad * m + j : j * m + bad];
        if (bad > j) a[bad * m + j] = bad === 0 ? 0 : v;
      }
      a[bad * m + bad] = bad === 0 ? 0 : -1;
      const blocked = a.slice();
      const plain = a.slice();
      expect(choleskyBlocked(blocked, m)).toBe(bad);
      expect(choleskyBlockUnblocked(plain, m, 0, m)).toBe(bad);
      // the rows up to the failing pivot are final in both (all of L but L[m-1][m-1] when it is last)
      for (let i = 0; i <= bad; i++) for (let j = 0; j <= Math.min(i, bad - 1); j++) expect(blocked[i * m + j]).toBeCloseTo(plain[i * m + j], 12);
    }
  });

  it('choleskyInPlace switches to the blocked kernel with the same result', () => {
    for (const m of [BLOCKED_FROM - 1, BLOCKED_FROM]) {
      const a = spd(m, 11);
      const got = a.slice();
      expect(choleskyInPlace(got, m)).toBe(-1);
      expect(maxLowerDiff(got, naive(a, m), m)).toBeLessThan(1e-12);
    }
  });
});

describe('syrkLowerPanel and trsmPanelLower', () => {
  it('the trailing rank-k update equals the naive triple loop, upper triangle untouched', () => {
    for (const [m, c0, c1, r0] of [
      [9, 0, 3, 3],
      [10, 2, 5, 5],
      [13, 0, 4, 4],
      [14, 3, 4, 4],
      [70, 0, 64, 64],
      [71, 5, 37, 40],
    ]) {
      const rng = new Rng(m);
      const a = Float64Array.from({ length: m * m }, () => rng.normal());
      const ref = a.slice();
      for (let i = r0; i < m; i++)
        for (let k = r0; k <= i; k++) {
          let s = 0;
          for (let t = c0; t < c1; t++) s += a[i * m + t] * a[k * m + t];
          ref[i * m + k] -= s;
        }
      const got = a.slice();
      syrkLowerPanel(got, m, c0, c1, r0);
      for (let i = 0; i < m * m; i++) expect(got[i]).toBeCloseTo(ref[i], 12);
    }
  });

  it('the panel solve gives X with X L\' equal to the original panel', () => {
    const m = 23;
    const c0 = 4;
    const c1 = 11;
    const a = spd(m, 5);
    expect(choleskyBlockUnblocked(a, m, c0, c1 - c0)).toBe(-1);
    const orig = a.slice();
    trsmPanelLower(a, m, c0, c1, c1);
    for (let i = c1; i < m; i++)
      for (let c = c0; c < c1; c++) {
        let s = 0;
        for (let t = c0; t <= c; t++) s += a[i * m + t] * a[c * m + t];
        expect(s).toBeCloseTo(orig[i * m + c], 12);
      }
  });
});
