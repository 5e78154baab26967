/**
 * Model formulas: parse an lme4-style formula string, or the equivalent object, into a
 * {@link ModelSpec}.
 *
 * @example
 * ```ts
 * import { parseFormula, type ModelSpec } from './formula/index.js';
 * const spec: ModelSpec = parseFormula('y ~ x + (1 | la)');
 * ```
 */
export { parseFormula } from './parse-formula.js';
export type { FixedTerm, FormulaInput, FormulaObject, RandomGroup, ModelSpec, RandomTerm } from './model-spec.js';
