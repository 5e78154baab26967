/**
 * vardecomp: panel and mixed-effects variance decomposition.
 *
 * Fit `y ~ covariates + (1|unit) + (1|period)` as lme4 does (REML or ML), then split the
 * variation into lasting unit differences, covariates, common period shocks and the rest.
 *
 * @packageDocumentation
 */
export { VardecompError, type VardecompErrorCode } from './errors.js';
export type { Diagnostic, DiagnosticCode } from './diagnostics.js';
export type { DataInput, ColumnObject, RowObjects, TableLike } from './input/data-source.js';
export type { FormulaInput, FormulaObject, RandomGroup, ModelSpec, FixedTerm, RandomTerm } from './formula/model-spec.js';
export { parseFormula } from './formula/parse-formula.js';
export type { DerivedVariable } from './formula/model-spec.js';
export { MAX_FORMULA_DEPTH, MAX_FORMULA_TERMS } from './formula/parse-formula.js';
export { SPECIALS, describeSpecials, type Special } from './formula/specials.js';
export { parseTable, DelimitedTextReader } from './input/delimited-text.js';
export type { ColumnTypeReport, DelimitedTextOptions, ParsedTable, StatedType } from './input/delimited-text.js';
export { DEFAULT_MISSING_MARKERS } from './input/cell-text.js';
export type { ColumnReading } from './input/model-frame.js';
export type { FitOptions } from './model/prepare-model.js';
export type { MinimizeControl } from './optimize/minimize.js';
export type { OptimizerInfo } from './model/optimize-theta.js';
export { LmmFit, type LmmFitData, type VarCorrRow, type RandomCorrelation, type RanefRecord } from './output/lmm-fit.js';
export { fit } from './fit.js';
export { GlmmFit, type GlmmFitData, type GlmmOptimizerInfo } from './output/glmm-fit.js';
export type { GlmmFitOptions } from './glmm/glmm-model.js';
export type { FamilyName, LatentApproximation } from './family/family.js';
export { fitAggregates, fitCells, decomposeManyAggregates, type DecomposeManyAggregatesOptions, type FitAggregatesOptions } from './fit-aggregates.js';
export type { CellFitOptions } from './model/prepare-from-cells.js';
export { cellsFromRows, type CellStatistics, type CellsFromRowsOptions } from './input/cell-statistics.js';
export { cellsFromTable } from './input/cells-from-table.js';
export { cellsFromAggregates, aggregateColumns } from './input/aggregate-table.js';
export { cellQuery, quoteIdentifier, SQL_DIALECTS, type SqlDialect, type CellQueryOptions } from './input/cell-query.js';
export { Rng, fillNormal } from './random/index.js';
export * from './simulate/index.js';
export {
  decompose,
  compare,
  decomposeMany,
  type DecomposeOptions,
  type CompareOptions,
  type DecomposeManyOptions,
} from './decompose-api.js';
export type { DecompositionOptions } from './decompose/decompose-fit.js';
export { OWEN_EXACT_MAX_TERMS, type CovariateSplitOptions, type CovariateSplitInfo } from './decompose/r2-shares.js';
export type { IntervalOptions } from './decompose/bootstrap.js';
export {
  DECOMPOSITION_METHODS,
  type DecompositionMethod,
  type DecompositionData,
  type ComparisonData,
  type ComparisonRow,
  type ComponentShare,
  type IntervalInfo,
  type LatentInfo,
  type ManyData,
} from './decompose/decomposition-data.js';
export type { GlmmDecompositionOptions } from './decompose/glmm-decompose.js';
export { Decomposition, Comparison, ManyDecomposition } from './report/index.js';
