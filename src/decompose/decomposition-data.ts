/**
 * The plain, serialisable shape of a variance decomposition and of a method comparison.
 * Report methods (text, markdown, tables, charts) are layered on top in `report/`.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { CovariateSplitInfo } from './r2-shares.js';

/** The three ways of splitting the variation (DESIGN.md, "Decomposition methods"). */
export type DecompositionMethod = 'components' | 'sequential' | 'shapley';

/**
 * The methods, in display order.
 *
 * @example
 * ```ts
 * for (const method of DECOMPOSITION_METHODS) console.log(decompose(fit, { method }).format());
 * ```
 */
export const DECOMPOSITION_METHODS: readonly DecompositionMethod[] = ['components', 'sequential', 'shapley'];

/** One part of the split. */
export interface ComponentShare {
  /** `fixed`, a random term's group name (as in `varcorr`), or `residual`. */
  readonly key: string;
  /** Display name (the user's label, or the key). */
  readonly label: string;
  readonly kind: 'fixed' | 'random' | 'residual';
  /** Variance of the part (components method only). */
  readonly variance?: number;
  readonly share: number;
  /** Interval of the share, when intervals were asked for. */
  readonly lower?: number;
  readonly upper?: number;
  /** How this share's interval was made. */
  readonly intervalMethod?: ShareIntervalKind;
}

/**
 * How one share's interval was made: `profile` (profile likelihood, chi-square cut-off),
 * `profile-boundary` (profile likelihood, one-sided at 0 by the boundary test),
 * `percentile` (parametric percentile bootstrap), `unit-bootstrap` (resampling whole units:
 * percentile re-centred on the estimate, scaled to the unit jackknife, t levels).
 */
export type ShareIntervalKind = 'profile' | 'profile-boundary' | 'percentile' | 'unit-bootstrap';

/** How the intervals were made. */
export interface IntervalInfo {
  /** Bootstrap replicates asked for, and those that produced finite shares (0 and 0 for profile intervals alone). */
  readonly n: number;
  readonly succeeded: number;
  readonly level: number;
  readonly seed: number;
  /** The decomposition's interval method (shares may differ: see each component's `intervalMethod`). */
  readonly kind: 'profile' | 'parametric-bootstrap' | 'unit-bootstrap';
  /** What the intervals estimate, in words. */
  readonly estimand?: string;
  /** Why a share used another method than `kind` (e.g. the profile does not cover the model). */
  readonly fallback?: string;
  /** Replicate shares by key, when `keepReplicates` was set. */
  readonly replicates?: Record<string, number[]>;
}

/** Latent-scale details of a GLMM decomposition (components method). */
export interface LatentInfo {
  readonly family: 'poisson' | 'binomial';
  /** The Poisson approximation of the distribution-specific variance. */
  readonly approximation: 'lognormal' | 'delta' | 'trigamma';
  /** Poisson: the null model's mean expected count over the model rows (offset included). */
  readonly lambda: number | null;
  /** The distribution-specific variance (the `residual` part). */
  readonly distribution: number;
  /** Poisson: the null model's intercept and summed random-effect variances. */
  readonly nullModel: { readonly intercept: number; readonly sigma2: number } | null;
}

/** A decomposition as data. */
export interface DecompositionData {
  readonly method: DecompositionMethod;
  readonly outcome: string;
  readonly formula: string;
  readonly nobs: number;
  readonly nDropped: number;
  /** Shares by key, summing to 1. */
  readonly shares: Record<string, number>;
  /** The parts in display order: fixed, random terms in formula order, residual. */
  readonly components: readonly ComponentShare[];
  /** The fixed share split per covariate term (sums to `shares.fixed`). */
  readonly covariates: Record<string, number>;
  /**
   * Components: the sum of the variance parts. Sequential and Shapley: the (weighted) sample
   * variance of the outcome, whose R^2 shares are split.
   */
  readonly total: number;
  /** Display names by key. */
  readonly labels: Record<string, string>;
  /** Entry order of the sequential method. */
  readonly order?: readonly string[];
  /** R^2 of the full fixed-effects regression (sequential and Shapley). */
  readonly r2?: number;
  /**
   * Components of a model with random slopes: the parts of each grouping factor's variance
   * (Johnson's `Tr(Z Sigma Z')/n`): each column's variance times its variable's mean square
   * (`names` equal) and twice each covariance times the mean cross-product, with their shares of
   * the total. They add to the factor's variance; unlike the total they change when a slope's
   * variable is shifted.
   */
  readonly randomParts?: ReadonlyArray<{ key: string; names: readonly [string, string]; variance: number; share: number }>;
  /** Shapley: how `covariates` was computed (exact, or sampled entry orders with standard errors). */
  readonly covariateSplit?: CovariateSplitInfo;
  readonly intervals?: IntervalInfo;
  /** GLMMs: the latent-scale details. */
  readonly latent?: LatentInfo;
  readonly diagnostics: readonly Diagnostic[];
}

/** One row of a comparison: a key's share under each method. */
export interface ComparisonRow {
  readonly key: string;
  readonly label: string;
  readonly kind: 'fixed' | 'random' | 'residual';
  readonly shares: Record<DecompositionMethod, number>;
  readonly lower?: Record<DecompositionMethod, number>;
  readonly upper?: Record<DecompositionMethod, number>;
}

/** The same data through every method. */
export interface ComparisonData {
  readonly outcome: string;
  readonly formula: string;
  readonly methods: readonly DecompositionMethod[];
  readonly rows: readonly ComparisonRow[];
  readonly decompositions: Record<DecompositionMethod, DecompositionData>;
}

/** Several outcomes on one right-hand side. */
export interface ManyData {
  readonly rhs: string;
  readonly method: DecompositionMethod;
  readonly outcomes: readonly string[];
  readonly results: readonly DecompositionData[];
}
