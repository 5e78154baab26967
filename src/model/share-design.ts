/**
 * Another outcome on an already prepared design: when a new outcome is observed on exactly the
 * same rows, the frame, X, the factor codes and every design-only cross-product are reused;
 * only the outcome's row and column of the cross-products are rebuilt.
 */
import { diagnostic } from '../diagnostics.js';
import type { ModelSpec } from '../formula/model-spec.js';
import { ProfiledCriterion } from '../objective/profiled-criterion.js';
import { outcomeCrossProducts, type PreparedModel } from './prepare-model.js';

/**
 * A prepared model for a new outcome `y` (one value per row of `prepared.frame.rows`).
 *
 * @example
 * ```ts
 * const next = withOutcome(prepared, parseFormula('lac_rate ~ imd + (1|la) + (1|year)'), y, 12);
 * ```
 */
export function withOutcome(prepared: PreparedModel, spec: ModelSpec, y: Float64Array, outcomeMissing: number): PreparedModel {
  const { frame } = prepared;
  if (y.length !== frame.nobs) throw new RangeError('withOutcome: y must have one value per used row');
  // The same outcome checks as a fresh preparation (range, constancy, exact fit), read from the
  // new outcome's cross-products, which are then used as they are.
  const { cp, yShift } = outcomeCrossProducts(prepared, spec.outcome, y);
  const missingByColumn = [
    ...(outcomeMissing > 0 ? [{ column: spec.outcome, count: outcomeMissing }] : []),
    ...frame.missingByColumn.filter((m) => m.column !== prepared.spec.outcome),
  ];
  const diagnostics = prepared.diagnostics.filter((d) => d.code !== 'DROPPED_ROWS');
  if (frame.nDropped > 0) {
    const by = missingByColumn.map((m) => `${m.column}: ${m.count}`).join(', ');
    diagnostics.unshift(
      diagnostic('DROPPED_ROWS', 'info', `${frame.nDropped} of ${frame.nrowsInput} rows dropped for missing values (${by})`),
    );
  }
  return {
    ...prepared,
    spec,
    frame: { ...frame, outcome: spec.outcome, y, missingByColumn },
    yShift,
    cp,
    criterion: new ProfiledCriterion(cp, prepared.reml),
    diagnostics,
  };
}
