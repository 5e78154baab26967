/**
 * Timing of one crossed-design fit for the benchmarks: end-to-end `fit` times, the optimiser's
 * evaluations and the time of one criterion evaluation at the optimum (median of several), with
 * the dense block's order and the Cholesky rate it implies.
 */
import { fit } from '../src/fit.js';
import type { DataInput } from '../src/input/data-source.js';
import { prepareModel } from '../src/model/prepare-model.js';
import { summarise, timeIt, type Summary } from './common.js';

/** What one crossed benchmark measured. */
export interface CrossedTiming {
  readonly rows: number;
  /** Order of the dense block. */
  readonly m: number;
  readonly fit: Summary & { readonly times: number[] };
  readonly evaluations: number;
  /** One criterion evaluation at the optimum, milliseconds. */
  readonly evaluation: Summary;
  /** Multiply-adds of one factorisation of the block (m^3 / 3) per second of an evaluation, 1e9. */
  readonly gigaMultiplyAddsPerSecond: number;
  readonly remlCriterion: number;
  readonly variances: Record<string, number>;
  readonly sigma2: number;
}

/**
 * Time `fit(data, formula)` `reps` times after one warm-up fit, then `evalReps` evaluations of
 * the criterion at the optimum.
 *
 * @example
 * ```ts
 * const t = timeCrossedFit(instEvalLookalike(1), INSTEVAL_FORMULA, 3, 9);
 * ```
 */
export function timeCrossedFit(data: DataInput, formula: string, reps: number, evalReps: number): CrossedTiming {
  let last = fit(data, formula);
  const times = timeIt(() => (last = fit(data, formula)), reps, 0);
  const prepared = prepareModel(data, formula);
  const theta = Float64Array.from(prepared.engineOrder, (i) => last.theta[prepared.spec.random[i].group]);
  const evals = timeIt(() => prepared.criterion.evaluate(theta), evalReps, 1);
  const evaluation = summarise(evals);
  const m = prepared.cp.m;
  return {
    rows: last.nobs,
    m,
    fit: { ...summarise(times), times },
    evaluations: last.optimizer.evaluations,
    evaluation,
    gigaMultiplyAddsPerSecond: m ** 3 / 3 / (evaluation.median * 1e6),
    remlCriterion: last.remlCriterion!,
    variances: Object.fromEntries(last.varcorr.map((r) => [r.group, r.variance])),
    sigma2: last.sigma * last.sigma,
  };
}
