/**
 * The profile of one components share: `LR_j(s) = min {D*(theta, rho) : share_j = s} - D_hat`.
 *
 * The shares are `v / sum(v)` with `v = (theta_1^2, ..., theta_K^2, rho, c_e)` (engine-order
 * random terms, the fixed part when there is one, and the residual factor, which is a constant).
 * Fixing `share_j = s` leaves an unconstrained search over the other parts:
 *
 * - a random term or the fixed part: the free variables are the square roots of the other
 *   non-residual parts relative to the residual factor (`theta_l / sqrt(c_e)`, `sqrt(rho / c_e)`,
 *   so that the search does not depend on the unit of the weights), and the target part is solved from the
 *   constraint, `v_j = s / (1 - s) (sum of the other parts + c_e)`;
 * - the residual: the non-residual parts must add to `R^2 = c_e (1 - s) / s`; one anchor part
 *   (the largest at the fit) is 1 and the others are free ratios x, `v = R^2 (x^2, 1) / (1 + |x|^2)`.
 *
 * The objective is even in every free variable, so {@link minimizeEven} runs unconstrained and a
 * part at 0 is an interior stationary point. Each call warm-starts from the previous optimum.
 */
import { minimizeEven } from '../optimize/minimize.js';
import type { ShareDeviance } from './share-deviance.js';

/**
 * The profile of share slot `j` (0..K-1 random terms in engine order, K the fixed part when
 * present, last the residual).
 *
 * @example
 * ```ts
 * const prof = new ShareProfile(dev, thetaHat, rhoHat, dHat, 1); // the second random term
 * prof.lr(0.05); // likelihood-ratio statistic for share = 5%
 * ```
 */
export class ShareProfile {
  readonly slot: number;
  /** Number of free variables of the constrained search. */
  readonly free: number;
  private readonly dev: ShareDeviance;
  private readonly dHat: number;
  private readonly nParts: number;
  private readonly residualSlot: number;
  private readonly anchor: number;
  /** Slots of the free variables (in the order of the search vector). */
  private readonly freeSlots: Int32Array;
  private readonly v: Float64Array;
  private readonly theta: Float64Array;
  private readonly fitted: Float64Array;
  private x: Float64Array;
  /** Objective evaluations so far. */
  evaluations = 0;

  /**
   * @param thetaHat engine-order theta at the fit
   * @param rhoHat `beta_hat' S beta_hat / sigma_hat^2` (ignored without a fixed part)
   * @param dHat `D*` at the fit
   */
  constructor(dev: ShareDeviance, thetaHat: ArrayLike<number>, rhoHat: number, dHat: number, slot: number) {
    this.dev = dev;
    this.dHat = dHat;
    this.slot = slot;
    const K = dev.K;
    this.nParts = K + (dev.hasFixed ? 1 : 0);
    this.residualSlot = this.nParts;
    this.v = new Float64Array(this.nParts + 1);
    this.theta = new Float64Array(K);
    this.fitted = new Float64Array(this.nParts);
    for (let k = 0; k < K; k++) this.fitted[k] = thetaHat[k] * thetaHat[k];
    if (dev.hasFixed) this.fitted[K] = rhoHat;
    let anchor = 0;
    for (let k = 1; k < this.nParts; k++) if (this.fitted[k] > this.fitted[anchor]) anchor = k;
    this.anchor = anchor;
    const slots: number[] = [];
    for (let k = 0; k < this.nParts; k++) {
      if (slot === this.residualSlot ? k !== anchor : k !== slot) slots.push(k);
    }
    this.freeSlots = Int32Array.from(slots);
    this.free = slots.length;
    this.x = this.startAtFit();
  }

  /** The free variables at the fitted parts. */
  private startAtFit(): Float64Array {
    const { fitted, freeSlots, slot, residualSlot, anchor } = this;
    const ce = this.dev.residualFactor;
    return Float64Array.from(freeSlots, (k) =>
      slot === residualSlot ? Math.sqrt(fitted[k] / Math.max(fitted[anchor], 1e-300)) : Math.sqrt(fitted[k] / ce),
    );
  }

  /** Fill the parts v (and theta) for share value s and free variables x; false if impossible. */
  private parts(s: number, x: ArrayLike<number>): boolean {
    const { v, freeSlots, slot, residualSlot, anchor } = this;
    const ce = this.dev.residualFactor;
    v[residualSlot] = ce;
    if (slot === residualSlot) {
      const R2 = (ce * (1 - s)) / s;
      let norm = 1;
      for (let i = 0; i < x.length; i++) norm += x[i] * x[i];
      v[anchor] = R2 / norm;
      for (let i = 0; i < x.length; i++) v[freeSlots[i]] = (R2 * x[i] * x[i]) / norm;
    } else {
      let others = ce;
      for (let i = 0; i < x.length; i++) {
        const vi = ce * x[i] * x[i];
        v[freeSlots[i]] = vi;
        others += vi;
      }
      v[slot] = (s / (1 - s)) * others;
    }
    for (let k = 0; k < this.dev.K; k++) this.theta[k] = Math.sqrt(v[k]);
    return Number.isFinite(v[slot]);
  }

  private objective(s: number, x: ArrayLike<number>): number {
    this.evaluations++;
    if (!this.parts(s, x)) return Number.POSITIVE_INFINITY;
    const rho = this.dev.hasFixed ? this.v[this.dev.K] : 0;
    return this.dev.deviance(this.theta, rho) - this.dHat;
  }

  /**
   * The likelihood-ratio statistic at share `s` (0 <= s < 1; s > 0 for the residual), warm-started
   * from the previous call's optimum. Never negative.
   */
  lr(s: number): number {
    if (this.free === 0) return Math.max(0, this.objective(s, this.x));
    const res = minimizeEven((x) => this.objective(s, x), this.x, { maxEvaluations: 1500, simplexTolerance: 1e-9, stepTolerance: 1e-6 });
    if (Number.isFinite(res.f)) this.x = Float64Array.from(res.x, Math.abs);
    return Math.max(0, res.f);
  }

  /**
   * The target part at the optimum of the last {@link lr} call for share `s`: `theta_j^2` for a
   * random term (its variance over sigma^2), `rho` for the fixed part, the residual factor for the residual.
   */
  partAt(s: number): number {
    this.parts(s, this.x);
    return this.v[this.slot];
  }

  /** Restart the warm start at the fit (before searching in the other direction). */
  reset(): void {
    this.x = this.startAtFit();
  }
}
