/**
 * Starting conditional modes for PIRLS from the modes at points already evaluated.
 *
 * The optimiser's finite differences and line searches evaluate the Laplace deviance at points
 * that differ from an earlier one (the centre) in one or a few coordinates by a small step. The
 * modes `u(x)` are smooth in x, so from the centre's modes and those at the centre's probes along
 * each coordinate a linear model predicts the modes at such a point to second order in the
 * step, where starting from the nearest earlier point is only first-order close. PIRLS then
 * needs one iteration fewer or so to converge to the same modes: the start changes the path,
 * not the answer.
 */

/** Relative tolerance under which two coordinates count as equal. */
const SAME = 1e-13;

/**
 * A bounded memory of (point, modes) pairs and the start it predicts for a new point.
 *
 * @example
 * ```ts
 * const pred = new ModePredictor(2, 3);
 * pred.record(Float64Array.of(1, 1), Float64Array.of(0.5, 0.2, 0.1));
 * pred.record(Float64Array.of(1.001, 1), Float64Array.of(0.501, 0.2, 0.1));
 * const u = new Float64Array(3);
 * pred.predict(Float64Array.of(0.999, 1), u); // true; u = (0.499, 0.2, 0.1)
 * ```
 */
export class ModePredictor {
  readonly dim: number;
  readonly size: number;
  private readonly xs: Float64Array[] = [];
  private readonly us: Float64Array[] = [];
  private next = 0;
  private readonly capacity: number;
  private readonly delta: Float64Array;
  private readonly order: number[] = [];
  private readonly dist: number[] = [];

  /**
   * @param dim number of coordinates of a point
   * @param size length of the modes vector
   * @param capacity points remembered (the oldest is forgotten first)
   */
  constructor(dim: number, size: number, capacity = 48) {
    this.dim = dim;
    this.size = size;
    this.capacity = Math.max(2, capacity);
    this.delta = new Float64Array(dim);
  }

  /** Remember the modes `u` at point `x` (both copied). */
  record(x: ArrayLike<number>, u: ArrayLike<number>): void {
    if (this.xs.length < this.capacity) {
      this.xs.push(Float64Array.from(x));
      this.us.push(Float64Array.from(u));
      return;
    }
    this.xs[this.next].set(x);
    this.us[this.next].set(u);
    this.next = (this.next + 1) % this.capacity;
  }

  /**
   * The predicted modes at `x` into `out`: the linear model of a remembered centre with probes
   * along every coordinate in which `x` differs from it, when its squared distance is below
   * the distance to the nearest remembered point; else that nearest point's modes. False when
   * nothing is remembered.
   */
  predict(x: ArrayLike<number>, out: Float64Array): boolean {
    const n = this.xs.length;
    if (n === 0) return false;
    const { dim, order, dist } = this;
    order.length = n;
    dist.length = n;
    for (let a = 0; a < n; a++) {
      let s = 0;
      for (let i = 0; i < dim; i++) s += (x[i] - this.xs[a][i]) ** 2;
      dist[a] = Math.sqrt(s);
      order[a] = a;
    }
    order.sort((a, b) => dist[a] - dist[b]);
    const nearest = order[0];
    for (const c of order) {
      // A linear model from a centre farther than this cannot beat the nearest point.
      if (dist[c] * dist[c] >= dist[nearest]) break;
      if (this.linear(c, x, out)) return true;
    }
    out.set(this.us[nearest]);
    return true;
  }

  /** `u_c + sum_i (delta_i / s_i)(u_{p_i} - u_c)` over coordinates that differ, if probed. */
  private linear(c: number, x: ArrayLike<number>, out: Float64Array): boolean {
    const { dim, size, delta } = this;
    const xc = this.xs[c];
    const probes: Array<{ plus: number; minus: number; i: number }> = [];
    for (let i = 0; i < dim; i++) {
      delta[i] = x[i] - xc[i];
      if (Math.abs(delta[i]) <= SAME * (1 + Math.abs(xc[i]))) continue;
      let plus = -1;
      let minus = -1;
      for (let p = 0; p < this.xs.length; p++) {
        if (p === c || !this.alongOnly(p, c, i)) continue;
        const s = this.xs[p][i] - xc[i];
        if (s > 0 && (plus < 0 || s < this.xs[plus][i] - xc[i])) plus = p;
        if (s < 0 && (minus < 0 || s > this.xs[minus][i] - xc[i])) minus = p;
      }
      if (plus < 0 && minus < 0) return false;
      probes.push({ plus, minus, i });
    }
    const uc = this.us[c];
    out.set(uc);
    for (const { plus, minus, i } of probes) {
      const d = delta[i];
      if (plus >= 0 && minus >= 0) {
        // central slope
        const sp = this.xs[plus][i] - xc[i];
        const sm = this.xs[minus][i] - xc[i];
        const up = this.us[plus];
        const um = this.us[minus];
        const w = d / (sp - sm);
        for (let l = 0; l < size; l++) out[l] += w * (up[l] - um[l]);
      } else {
        const p = plus >= 0 ? plus : minus;
        const w = d / (this.xs[p][i] - xc[i]);
        const up = this.us[p];
        for (let l = 0; l < size; l++) out[l] += w * (up[l] - uc[l]);
      }
    }
    return true;
  }

  /** Whether point p differs from point c in coordinate i only. */
  private alongOnly(p: number, c: number, i: number): boolean {
    const xp = this.xs[p];
    const xc = this.xs[c];
    for (let j = 0; j < this.dim; j++) {
      if (j === i) continue;
      if (Math.abs(xp[j] - xc[j]) > SAME * (1 + Math.abs(xc[j]))) return false;
    }
    return Math.abs(xp[i] - xc[i]) > SAME * (1 + Math.abs(xc[i]));
  }
}
