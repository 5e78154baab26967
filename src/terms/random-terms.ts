/**
 * The random-effects terms of a model together: theta's layout in formula order (the public
 * order, names as lme4's) and in engine order (terms sorted by number of levels, largest first),
 * and the whole-vector operations the optimiser and the output call.
 */
import type { RandomEffectsTerm } from './random-effects-term.js';

/**
 * A model's random-effects terms.
 *
 * @example
 * ```ts
 * const terms = new RandomTerms([subjectTerm], [0]);
 * terms.thetaNames; // ['Subject.(Intercept)', 'Subject.Days.(Intercept)', 'Subject.Days']
 * const engineTheta = terms.toEngine(Float64Array.of(1, 0, 0.2));
 * ```
 */
export class RandomTerms {
  /** Terms in formula order. */
  readonly terms: readonly RandomEffectsTerm[];
  /** `engineOrder[e]` = formula index of the term in engine position e. */
  readonly engineOrder: readonly number[];
  /** Theta offset of each term (formula index) in the formula-order vector. */
  readonly formulaOffsets: Int32Array;
  /** Theta offset of each term (formula index) in the engine-order vector. */
  readonly engineOffsets: Int32Array;
  /** Theta length. */
  readonly size: number;
  /** Theta names, formula order. */
  readonly thetaNames: readonly string[];
  /** True when every term is a scalar random intercept. */
  readonly scalarOnly: boolean;

  constructor(terms: readonly RandomEffectsTerm[], engineOrder: readonly number[]) {
    this.terms = terms;
    this.engineOrder = engineOrder;
    this.formulaOffsets = new Int32Array(terms.length);
    this.engineOffsets = new Int32Array(terms.length);
    let off = 0;
    terms.forEach((t, i) => {
      this.formulaOffsets[i] = off;
      off += t.thetaSize;
    });
    this.size = off;
    off = 0;
    for (const fi of engineOrder) {
      this.engineOffsets[fi] = off;
      off += terms[fi].thetaSize;
    }
    this.thetaNames = terms.flatMap((t) => t.thetaNames);
    this.scalarOnly = terms.every((t) => t.scalarIntercept);
  }

  /** Formula-order theta to engine order. */
  toEngine(formula: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.size);
    this.terms.forEach((t, i) => {
      for (let k = 0; k < t.thetaSize; k++) out[this.engineOffsets[i] + k] = formula[this.formulaOffsets[i] + k];
    });
    return out;
  }

  /** Engine-order theta to formula order. */
  toFormula(engine: ArrayLike<number>): Float64Array {
    const out = new Float64Array(this.size);
    this.terms.forEach((t, i) => {
      for (let k = 0; k < t.thetaSize; k++) out[this.formulaOffsets[i] + k] = engine[this.engineOffsets[i] + k];
    });
    return out;
  }

  /** Theta names in engine order. */
  toEngineNames(): string[] {
    const out = new Array<string>(this.size);
    this.terms.forEach((t, i) => t.thetaNames.forEach((nm, k) => (out[this.engineOffsets[i] + k] = nm)));
    return out;
  }

  /** Engine positions of lambda's diagonal entries (the ones bounded below by 0). */
  engineDiagonal(): number[] {
    return this.terms.flatMap((t, i) => t.diagonal.map((d) => this.engineOffsets[i] + d));
  }

  /** Rectify an engine-order theta in place (flip lambda columns with a negative diagonal). */
  rectifyEngine(theta: Float64Array): void {
    this.terms.forEach((t, i) => t.rectify(theta, this.engineOffsets[i]));
  }

  /** Terms (formula indices) on one grouping factor name. */
  indicesOf(group: string): number[] {
    const out: number[] = [];
    this.terms.forEach((t, i) => {
      if (t.group === group) out.push(i);
    });
    return out;
  }
}
