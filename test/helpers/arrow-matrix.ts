import { Rng } from '../../src/random/rng.js';

/**
 * A random SPD m x m matrix (row-major, both triangles) whose leading d x d block is diagonal:
 * a positive diagonal plus 3m rank-one terms, each touching one leading index and the trailing
 * ones (with `sparseTail`, each trailing entry is zero with probability 0.6), plus 1 on the
 * trailing diagonal.
 */
export function randomArrow(m: number, d: number, seed: number, sparseTail = false): Float64Array {
  const rng = new Rng(seed);
  const a = new Float64Array(m * m);
  for (let i = 0; i < d; i++) a[i * m + i] = 1 + rng.uniform();
  for (let t = 0; t < 3 * m; t++) {
    const v = new Float64Array(m);
    if (d > 0) v[Math.floor(rng.uniform() * d)] = rng.normal();
    for (let r = d; r < m; r++) v[r] = sparseTail && rng.uniform() < 0.6 ? 0 : rng.normal();
    for (let r = 0; r < m; r++) for (let c = 0; c < m; c++) a[r * m + c] += v[r] * v[c];
  }
  for (let r = d; r < m; r++) a[r * m + r] += 1;
  return a;
}
