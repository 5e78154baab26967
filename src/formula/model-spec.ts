/**
 * The parsed model: what a formula string or a formula object means, before any data is seen.
 */
import type { CallExpr } from './expression.js';

/**
 * A variable computed from columns by a formula function (`log(x)`, `I(x^2)`,
 * `within(cilif, la_code)`, `offset(log(pop))`): its label, the call, and the columns it reads.
 * The model frame evaluates it over the model's rows (after incomplete rows are dropped); the
 * design matrix uses it like a numeric column named by its label.
 */
export interface DerivedVariable {
  /** The call as R writes it (`I(x^2)`, `within(cilif, la_code)`): the variable's name in terms and coefficients. */
  readonly label: string;
  /** The parsed call. */
  readonly expression: CallExpr;
  /** Data columns the call reads, in order of first appearance. */
  readonly columns: readonly string[];
}

/** A fixed-effect term: a main effect (`x`) or an interaction (`x1:x2`) of data columns. */
export interface FixedTerm {
  /**
   * Column names or derived-variable labels (`log(x)`), e.g. `['x1', 'x2']` for `x1:x2`, in R's order: the order in which the columns
   * first appear in the formula (so `y ~ b + a + a:b` has the term `b:a`, as in R's `terms()`).
   */
  readonly variables: readonly string[];
  /** R's term label: the variables joined by `:` (no backticks, unlike R's labels for names such as `` `cpp rate` ``). */
  readonly label: string;
}

/** lme4's name for the random-intercept column of a random-effects term. */
export const INTERCEPT_COLUMN = '(Intercept)';

/**
 * A random-effects term `(columns | group)`: a random intercept `(1 | g)`, correlated slopes
 * `(1 + x | g)`, or one column of an uncorrelated `(x || g)`, which lme4 expands into
 * `(1 | g) + (0 + x | g)`.
 */
export interface RandomTerm {
  /**
   * lme4's group name: `la` for `(1|la)`, `la:region` for `(1|la:region)`, `b:a` for the inner part of `(1|a/b)`.
   * Always `variables` joined by `:`: the innermost group of `(1|a/b/c)` is `c:b:a` (lme4 prints `c:(b:a)`).
   */
  readonly group: string;
  /** Columns whose level combinations define the groups, in the order of `group`'s parts. */
  readonly variables: readonly string[];
  /**
   * The term's random-effect columns in lme4's order: `['(Intercept)']` for `(1 | g)`,
   * `['(Intercept)', 'Days']` for `(Days | Subject)`, `['Days']` for `(0 + Days | Subject)`.
   * Slope columns are numeric data columns.
   */
  readonly columns: readonly string[];
}

/**
 * The model a formula describes: `outcome ~ fixed + (1 | random...)`.
 *
 * Fixed terms are ordered as R orders them (by interaction order, then as written), duplicates
 * removed; random terms are in formula order with nesting expanded as lme4 does
 * (`(1|a/b)` becomes `(1|b:a) + (1|a)`).
 */
export interface ModelSpec {
  readonly outcome: string;
  readonly intercept: boolean;
  readonly fixed: readonly FixedTerm[];
  readonly random: readonly RandomTerm[];
  /** The formula as lme4 would print it, e.g. `y ~ x + (1 | la) + (1 | year)`. */
  readonly text: string;
  /**
   * Variables computed by formula functions, keyed in `fixed[].variables` by their labels
   * (absent when the formula has none).
   */
  readonly derived?: readonly DerivedVariable[];
  /**
   * `offset(...)` terms: known parts of the linear predictor, added with coefficient 1 (several
   * are summed, as in R). Absent when the formula has none.
   */
  readonly offsets?: readonly DerivedVariable[];
}

/**
 * A random-effects term in the object form: a grouping column (or interaction `'a:b'`) with
 * random slopes on numeric columns. It means exactly what the formula term means:
 * `{ group: 'g', slopes: ['t'] }` is `(1 + t | g)`, `{ group: 'g', slopes: ['t'], intercept: false }`
 * is `(0 + t | g)`, `{ group: 'g', slopes: ['t'], correlated: false }` is `(t || g)` (lme4's
 * expansion into `(1 | g) + (0 + t | g)`).
 *
 * @example
 * ```ts
 * const term: RandomGroup = { group: 'la_code', slopes: ['t'] };
 * parseFormula({ outcome: 'rate', covariates: ['t'], groups: ['year', term] }).text;
 * // 'rate ~ t + (1 | year) + (t | la_code)'
 * ```
 */
export interface RandomGroup {
  /** Grouping column, or an interaction `'a:b'`. */
  group: string;
  /** Numeric columns with a random slope per level of `group`, in order. Default none. */
  slopes?: readonly string[];
  /** Include a random intercept (default true); `false` is `0 +` in the formula. */
  intercept?: boolean;
  /** Estimate the correlations between the term's columns (default true); `false` is `||` in the formula. */
  correlated?: boolean;
}

/** The object form of a model, an alternative to the formula string. */
export interface FormulaObject {
  /** Outcome column. */
  outcome: string;
  /** Covariate terms (`'x'`, or an interaction `'x1:x2'`). Default none. */
  covariates?: readonly string[];
  /**
   * Random-effects terms in order: a grouping column (`'g'`, a random intercept `(1|g)`; `'a:b'`
   * is an interaction group) or a {@link RandomGroup} with random slopes. Default none.
   */
  groups?: readonly (string | RandomGroup)[];
  /** Include an intercept (default true). */
  intercept?: boolean;
}

/** Anything `fit` accepts as a model description. */
export type FormulaInput = string | FormulaObject;
