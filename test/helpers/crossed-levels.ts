/**
 * Rows of a crossed design with `levels` levels on each of two grouping columns `a` and `b`
 * (every level of each used, pairs not repeated within the first `levels` rows), a numeric `x`
 * and outcomes `y` (Gaussian-like) and `yBinary` (0/1).
 */
export function crossedLevelRows(n: number, levels: number): { a: string[]; b: string[]; x: Float64Array; y: Float64Array; yBinary: Float64Array } {
  const a = new Array<string>(n);
  const b = new Array<string>(n);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const yBinary = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = `a${i % levels}`;
    b[i] = `b${(i * 7 + Math.floor(i / levels)) % levels}`;
    x[i] = Math.cos(i);
    y[i] = Math.sin(i);
    yBinary[i] = i % 3 === 0 ? 1 : 0;
  }
  return { a, b, x, y, yBinary };
}
