/**
 * Sequential (type-I) and Shapley (LMG) shares of R^2 over term groups.
 *
 * Players are the groups: `fixed` (all covariates together) and each grouping factor as a block
 * of dummies (with random slopes, its dummies and its per-level slope columns, as R's
 * `factor(g) + factor(g):x`). `v(S)` is the R^2 of the least-squares regression of the outcome
 * on an intercept and the groups in S, from {@link SubsetRegressions}.
 *
 * - sequential: the increment of each group as it enters in a stated order.
 * - shapley: each group's increment averaged over all entry orders (relaimpo's LMG with
 *   `groups=`), `phi_g = sum_{S not containing g} |S|! (K-|S|-1)! / K! [v(S + g) - v(S)]`.
 * - covariate split: sequential uses each covariate term's increment in formula order (after the
 *   groups that precede `fixed`); Shapley uses the Owen value, i.e. Shapley within the covariate
 *   group nested inside Shapley across groups, so the covariates' values add to the group's.
 */
import { VardecompError } from '../errors.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { Rng } from '../random/rng.js';
import type { CrossProducts } from '../objective/cross-products.js';
import { SubsetRegressions, type RegressionSubset } from '../objective/subset-regressions.js';
import { randomKeys } from './random-parts.js';

/** The players of the R^2 game for a prepared model. */
export interface R2Game {
  /** Group keys: `fixed` (if any covariate column) then random groups in formula order. */
  readonly keys: readonly string[];
  /** Covariate term labels with at least one column in X. */
  readonly covariateTerms: readonly string[];
  /** R^2 of the regression on the random groups in `groupMask` (bit i = keys[i], excluding fixed) and the covariate terms in `termMask`. */
  value(groupMask: number, termMask: number): number;
  /** As {@link R2Game.value} with the covariate terms as flags (any number of terms; not memoised). */
  valueOf(groupMask: number, terms: ArrayLike<number>): number;
  /** R^2 with every group. */
  readonly full: number;
  /** Weighted total sum of squares about the (weighted) mean. */
  readonly tss: number;
}

/**
 * Set up the R^2 game on a prepared model's design and a set of cross-products (the fitted
 * outcome's, or a bootstrap replicate's), or on anything that gives the residual sum of squares
 * of a subset regression in the same column layout (a unit-bootstrap replicate's summed
 * cross-products, unit-cross-products.ts).
 *
 * @example
 * ```ts
 * const game = r2Game(prepared, prepared.cp);
 * game.value(0b11, 0); // R^2 of y on both factors, no covariates
 * ```
 */
export function r2Game(prepared: PreparedModel, source: CrossProducts | { rss(subset: RegressionSubset): number }): R2Game {
  const { design, engineOrder, spec } = prepared;
  const regs = 'rss' in source ? source : new SubsetRegressions(source);
  const hasFixed = design.p > 1;
  const groups = randomKeys(prepared);
  const keys = [...(hasFixed ? ['fixed'] : []), ...groups];
  // Engine positions of each group's terms: a factor with slopes (or split by ||) enters as one
  // player, its intercept dummies and its per-level slope columns together.
  const enginePositions = groups.map((g) => spec.random.flatMap((r, fi) => (r.group === g ? [engineOrder.indexOf(fi)] : [])));
  const termCols = design.terms.map((_, t) => {
    const cols: number[] = [];
    design.termOf.forEach((tt, c) => tt === t && cols.push(c));
    return cols;
  });
  const liveTerms = termCols.map((c, t) => ({ t, c })).filter((e) => e.c.length > 0);
  const covariateTerms = liveTerms.map((e) => design.terms[e.t]);
  const nRandom = groups.length;
  const memo = new Map<number, number>();
  const xOn = new Array<boolean>(design.p).fill(false);
  const restOn = new Array<boolean>(engineOrder.length - 1).fill(false);
  const intercept = regs.rss({ first: false, rest: restOn, x: design.names.map((_, c) => c === 0) });
  const tss = intercept;
  const valueOf = (groupMask: number, terms: ArrayLike<number>): number => {
    xOn.fill(false);
    xOn[0] = true;
    liveTerms.forEach((e, i) => {
      if (terms[i]) for (const c of e.c) xOn[c] = true;
    });
    return regress(groupMask);
  };
  const flags = new Uint8Array(liveTerms.length);
  const value = (groupMask: number, termMask: number): number => {
    const key = groupMask * 2 ** liveTerms.length + termMask;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    for (let i = 0; i < flags.length; i++) flags[i] = i < 31 && termMask & (1 << i) ? 1 : 0;
    const v = valueOf(groupMask, flags);
    memo.set(key, v);
    return v;
  };
  const regress = (groupMask: number): number => {
    let first = false;
    restOn.fill(false);
    for (let r = 0; r < nRandom; r++) {
      if (!(groupMask & (1 << r))) continue;
      for (const e of enginePositions[r]) {
        if (e === 0) first = true;
        else restOn[e - 1] = true;
      }
    }
    const rss = regs.rss({ first, rest: restOn, x: xOn });
    return tss > 0 ? 1 - rss / tss : 0;
  };
  const full = valueOf(2 ** nRandom - 1, new Uint8Array(liveTerms.length).fill(1));
  return { keys, covariateTerms, value, valueOf, full, tss };
}

const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
const popcount = (x: number): number => {
  let c = 0;
  for (let v = x; v; v &= v - 1) c++;
  return c;
};

/** The random-group mask of a key set, and whether it holds the fixed group. */
function masks(game: R2Game, keys: Iterable<string>): { g: number; fixed: boolean } {
  const random = game.keys.filter((k) => k !== 'fixed');
  let g = 0;
  let fixed = false;
  for (const k of keys) {
    if (k === 'fixed') fixed = true;
    else g |= 1 << random.indexOf(k);
  }
  return { g, fixed };
}

/**
 * Most covariate terms for which the Owen split of the fixed Shapley share is computed exactly
 * (`2^terms` regressions per coalition of groups); above it the split is estimated by sampling
 * entry orders, unless `shapley.exactMaxTerms` says otherwise.
 *
 * @example
 * ```ts
 * const exact = game.covariateTerms.length <= OWEN_EXACT_MAX_TERMS;
 * ```
 */
export const OWEN_EXACT_MAX_TERMS = 12;

/** The highest `shapley.exactMaxTerms` accepted (2^16 regressions per coalition of groups). */
export const OWEN_EXACT_LIMIT = 16;

/**
 * Most groups (the fixed group and the random terms) the Shapley method splits over: it runs
 * `2^groups` regressions.
 *
 * @example
 * ```ts
 * if (game.keys.length > SHAPLEY_MAX_GROUPS) console.log('use the sequential method');
 * ```
 */
export const SHAPLEY_MAX_GROUPS = 16;

/** How the Shapley method splits the fixed share across covariate terms. */
export interface CovariateSplitOptions {
  /** Exact Owen split up to this many covariate terms (default {@link OWEN_EXACT_MAX_TERMS}, at most 16). */
  exactMaxTerms?: number;
  /** Sampled entry orders above that (default 500). */
  permutations?: number;
  /** Seed of the sampled orders (default 1). */
  seed?: number;
}

/** How the covariate split was made. */
export interface CovariateSplitInfo {
  readonly method: 'exact' | 'permutation';
  /** Number of covariate terms. */
  readonly terms: number;
  /** Sampled orders and seed (permutation method). */
  readonly permutations?: number;
  readonly seed?: number;
  /** Monte Carlo standard error of each covariate's share (permutation method). */
  readonly se?: Record<string, number>;
}

/**
 * Check the `shapley` option and fill in the defaults (throws `E_OPTION` naming the field).
 *
 * @example
 * ```ts
 * resolveCovariateSplit({ permutations: 2000 }); // { exactMaxTerms: 12, permutations: 2000, seed: 1 }
 * ```
 */
export function resolveCovariateSplit(o: unknown): Required<CovariateSplitOptions> {
  if (o === undefined) return { exactMaxTerms: OWEN_EXACT_MAX_TERMS, permutations: 500, seed: 1 };
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    throw new VardecompError('E_OPTION', 'Option "shapley" must be an object such as { permutations: 1000, seed: 1 }');
  }
  const rec = o as Record<string, unknown>;
  for (const k of Object.keys(rec)) {
    if (!['exactMaxTerms', 'permutations', 'seed'].includes(k)) {
      throw new VardecompError('E_OPTION', `Unknown option "shapley.${k}" (expected exactMaxTerms, permutations, seed)`);
    }
  }
  const int = (k: string, lo: number, hi: number, dflt: number): number => {
    const v = rec[k] ?? dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
      throw new VardecompError('E_OPTION', `Option "shapley.${k}" must be a whole number from ${lo} to ${hi.toLocaleString('en-GB')} (got ${String(v)})`);
    }
    return v;
  };
  const seed = rec.seed ?? 1;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new VardecompError('E_OPTION', `Option "shapley.seed" must be a finite number (got ${String(seed)})`);
  }
  return {
    exactMaxTerms: int('exactMaxTerms', 0, OWEN_EXACT_LIMIT, OWEN_EXACT_MAX_TERMS),
    permutations: int('permutations', 2, 1e6, 500),
    seed,
  };
}

/** Result of an R^2 split. */
export interface R2Split {
  /** Share of each key, and `residual` = 1 - R^2; sums to 1. */
  readonly shares: Record<string, number>;
  /** The fixed share split per covariate term. */
  readonly covariates: Record<string, number>;
  readonly r2: number;
  /** Shapley: how the covariate split was made (absent when it was not asked for). */
  readonly covariateSplit?: CovariateSplitInfo;
}

/**
 * Sequential R^2 increments in `order` (a permutation of `game.keys`).
 *
 * @example
 * ```ts
 * sequentialShares(game, ['fixed', 'year', 'la']).shares; // { fixed, year, la, residual }
 * ```
 */
export function sequentialShares(game: R2Game, order: readonly string[]): R2Split {
  const shares: Record<string, number> = Object.fromEntries(game.keys.map((k) => [k, 0]));
  const entered: string[] = [];
  let prev = 0;
  const covariates: Record<string, number> = Object.fromEntries(game.covariateTerms.map((t) => [t, 0]));
  const flags = new Uint8Array(game.covariateTerms.length);
  for (const key of order) {
    if (key === 'fixed') {
      const { g } = masks(game, entered);
      game.covariateTerms.forEach((term, i) => {
        flags[i] = 1;
        const v = game.valueOf(g, flags);
        covariates[term] = v - prev;
        prev = v;
      });
      entered.push(key);
      shares[key] = Object.values(covariates).reduce((a, b) => a + b, 0);
      continue;
    }
    entered.push(key);
    const { g, fixed } = masks(game, entered);
    const v = game.valueOf(g, flags.fill(fixed ? 1 : 0));
    shares[key] = v - prev;
    prev = v;
  }
  shares.residual = 1 - game.full;
  return { shares, covariates, r2: game.full };
}

/**
 * Shapley (LMG) values of the groups, with the Owen split of the fixed group's value across
 * covariate terms: exact up to `split.exactMaxTerms` terms, above it an unbiased estimate from
 * sampled entry orders of the terms (the coalitions of groups stay exact, so the estimates sum
 * exactly to the fixed share), with Monte Carlo standard errors. `split = false` skips the
 * covariate split (bootstrap replicates need only the groups).
 *
 * @example
 * ```ts
 * shapleyShares(game).shares; // { fixed, la, year, residual }
 * shapleyShares(game, { permutations: 2000, seed: 3 }).covariateSplit; // { method, se, ... }
 * ```
 */
export function shapleyShares(game: R2Game, split: CovariateSplitOptions | false = {}): R2Split {
  const K = game.keys.length;
  if (K > SHAPLEY_MAX_GROUPS) {
    throw new VardecompError(
      'E_OPTION',
      `The shapley method over ${K} groups needs 2^${K} regressions (at most ${SHAPLEY_MAX_GROUPS} groups): use the sequential or components method`,
      { option: 'method' },
    );
  }
  const random = game.keys.filter((k) => k !== 'fixed');
  const R = random.length;
  const hasFixed = game.keys.includes('fixed');
  const T = game.covariateTerms.length;
  const wK = (s: number) => (factorial(s) * factorial(K - s - 1)) / factorial(K);
  const all = new Uint8Array(T).fill(1);
  const none = new Uint8Array(T);
  const groupMemo = new Map<number, number>();
  const groupValue = (gm: number, withFixed: boolean): number => {
    const key = 2 * gm + (withFixed ? 1 : 0);
    let v = groupMemo.get(key);
    if (v === undefined) {
      v = game.valueOf(gm, withFixed ? all : none);
      groupMemo.set(key, v);
    }
    return v;
  };
  const shares = new Map<string, number>();
  // Random groups: players are the random groups plus (if present) the fixed group as one player.
  random.forEach((key, r) => {
    let phi = 0;
    for (let gm = 0; gm < 2 ** R; gm++) {
      if (gm & (1 << r)) continue;
      for (const withFixed of hasFixed ? [false, true] : [false]) {
        const size = popcount(gm) + (withFixed ? 1 : 0);
        phi += wK(size) * (groupValue(gm | (1 << r), withFixed) - groupValue(gm, withFixed));
      }
    }
    shares.set(key, phi);
  });
  let covariates: Record<string, number> = {};
  let covariateSplit: CovariateSplitInfo | undefined;
  if (hasFixed) {
    let fixedPhi = 0;
    for (let gm = 0; gm < 2 ** R; gm++) fixedPhi += wK(popcount(gm)) * (groupValue(gm, true) - groupValue(gm, false));
    shares.set('fixed', fixedPhi);
    if (split !== false) {
      const o = resolveCovariateSplit(split);
      if (T <= o.exactMaxTerms) {
        covariates = owenExact(game, R, wK);
        covariateSplit = { method: 'exact', terms: T };
      } else {
        const est = owenSampled(game, R, wK, o.permutations, o.seed, groupValue);
        covariates = est.values;
        covariateSplit = { method: 'permutation', terms: T, permutations: o.permutations, seed: o.seed, se: est.se };
      }
    }
  }
  shares.set('residual', 1 - game.full);
  const ordered: Record<string, number> = Object.fromEntries([...game.keys, 'residual'].map((k) => [k, shares.get(k)!]));
  return { shares: ordered, covariates, r2: game.full, ...(covariateSplit ? { covariateSplit } : {}) };
}

/** Owen value of each covariate term: all `2^T` term coalitions inside each coalition of groups. */
function owenExact(game: R2Game, R: number, wK: (s: number) => number): Record<string, number> {
  const T = game.covariateTerms.length;
  const allT = 2 ** T - 1;
  const wT = (s: number) => (factorial(s) * factorial(T - s - 1)) / factorial(T);
  const out: Record<string, number> = {};
  game.covariateTerms.forEach((term, i) => {
    let phi = 0;
    for (let gm = 0; gm < 2 ** R; gm++) {
      const wg = wK(popcount(gm));
      for (let tm = 0; tm <= allT; tm++) {
        if (tm & (1 << i)) continue;
        phi += wg * wT(popcount(tm)) * (game.value(gm, tm | (1 << i)) - game.value(gm, tm));
      }
    }
    out[term] = phi;
  });
  return out;
}

/**
 * Owen value of each covariate term estimated from `permutations` uniformly sampled entry orders
 * of the terms: for each order, each term's increment is averaged exactly over the coalitions of
 * groups (Shapley weights), so each sampled order gives an unbiased estimate of every term's
 * value, and the increments of one order sum to the fixed group's exact value.
 */
function owenSampled(
  game: R2Game,
  R: number,
  wK: (s: number) => number,
  permutations: number,
  seed: number,
  groupValue: (gm: number, withFixed: boolean) => number,
): { values: Record<string, number>; se: Record<string, number> } {
  const T = game.covariateTerms.length;
  const rng = new Rng(seed);
  const perm = Int32Array.from({ length: T }, (_, i) => i);
  const flags = new Uint8Array(T);
  const contrib = new Float64Array(T);
  const sum = new Float64Array(T);
  const sumsq = new Float64Array(T);
  for (let p = 0; p < permutations; p++) {
    for (let i = T - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    contrib.fill(0);
    for (let gm = 0; gm < 2 ** R; gm++) {
      const wg = wK(popcount(gm));
      flags.fill(0);
      let prev = groupValue(gm, false);
      for (let k = 0; k < T; k++) {
        const t = perm[k];
        flags[t] = 1;
        const v = k === T - 1 ? groupValue(gm, true) : game.valueOf(gm, flags);
        contrib[t] += wg * (v - prev);
        prev = v;
      }
    }
    for (let t = 0; t < T; t++) {
      sum[t] += contrib[t];
      sumsq[t] += contrib[t] * contrib[t];
    }
  }
  const values: Record<string, number> = {};
  const se: Record<string, number> = {};
  game.covariateTerms.forEach((term, t) => {
    const mean = sum[t] / permutations;
    const variance = Math.max(0, (sumsq[t] - permutations * mean * mean) / (permutations - 1));
    values[term] = mean;
    se[term] = Math.sqrt(variance / permutations);
  });
  return { values, se };
}
