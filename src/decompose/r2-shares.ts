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
import type { PreparedModel } from '../model/prepare-model.js';
import type { CrossProducts } from '../objective/cross-products.js';
import { SubsetRegressions } from '../objective/subset-regressions.js';
import { randomKeys } from './random-parts.js';

/** The players of the R^2 game for a prepared model. */
export interface R2Game {
  /** Group keys: `fixed` (if any covariate column) then random groups in formula order. */
  readonly keys: readonly string[];
  /** Covariate term labels with at least one column in X. */
  readonly covariateTerms: readonly string[];
  /** R^2 of the regression on the random groups in `groupMask` (bit i = keys[i], excluding fixed) and the covariate terms in `termMask`. */
  value(groupMask: number, termMask: number): number;
  /** R^2 with every group. */
  readonly full: number;
  /** Weighted total sum of squares about the (weighted) mean. */
  readonly tss: number;
}

/**
 * Set up the R^2 game on a prepared model's design and a set of cross-products (the fitted
 * outcome's, or a bootstrap replicate's).
 *
 * @example
 * ```ts
 * const game = r2Game(prepared, prepared.cp);
 * game.value(0b11, 0); // R^2 of y on both factors, no covariates
 * ```
 */
export function r2Game(prepared: PreparedModel, cp: CrossProducts): R2Game {
  const { design, engineOrder, spec } = prepared;
  const regs = new SubsetRegressions(cp);
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
  const value = (groupMask: number, termMask: number): number => {
    const key = groupMask * 2 ** liveTerms.length + termMask;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    xOn.fill(false);
    xOn[0] = true;
    liveTerms.forEach((e, i) => {
      if (termMask & (1 << i)) for (const c of e.c) xOn[c] = true;
    });
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
    const v = tss > 0 ? 1 - rss / tss : 0;
    memo.set(key, v);
    return v;
  };
  const allTerms = 2 ** liveTerms.length - 1;
  const full = value(2 ** nRandom - 1, allTerms);
  return { keys, covariateTerms, value, full, tss };
}

const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
const popcount = (x: number): number => {
  let c = 0;
  for (let v = x; v; v &= v - 1) c++;
  return c;
};

/** Split a key set into the random-group mask and the covariate-term mask of a game. */
function masks(game: R2Game, keys: Iterable<string>): [number, number] {
  const random = game.keys.filter((k) => k !== 'fixed');
  let g = 0;
  let t = 0;
  for (const k of keys) {
    if (k === 'fixed') t = 2 ** game.covariateTerms.length - 1;
    else g |= 1 << random.indexOf(k);
  }
  return [g, t];
}

/** Result of an R^2 split. */
export interface R2Split {
  /** Share of each key, and `residual` = 1 - R^2; sums to 1. */
  readonly shares: Record<string, number>;
  /** The fixed share split per covariate term. */
  readonly covariates: Record<string, number>;
  readonly r2: number;
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
  for (const key of order) {
    if (key === 'fixed') {
      const [g] = masks(game, entered);
      let tm = 0;
      game.covariateTerms.forEach((term, i) => {
        tm |= 1 << i;
        const v = game.value(g, tm);
        covariates[term] = v - prev;
        prev = v;
      });
      entered.push(key);
      shares[key] = Object.values(covariates).reduce((a, b) => a + b, 0);
      continue;
    }
    entered.push(key);
    const [g, t] = masks(game, entered);
    const v = game.value(g, t);
    shares[key] = v - prev;
    prev = v;
  }
  shares.residual = 1 - game.full;
  return { shares, covariates, r2: game.full };
}

/**
 * Shapley (LMG) values of the groups, with the Owen split of the fixed group's value across
 * covariate terms.
 *
 * @example
 * ```ts
 * shapleyShares(game).shares; // { fixed, la, year, residual }
 * ```
 */
export function shapleyShares(game: R2Game): R2Split {
  const K = game.keys.length;
  const random = game.keys.filter((k) => k !== 'fixed');
  const R = random.length;
  const hasFixed = game.keys.includes('fixed');
  const T = game.covariateTerms.length;
  const allT = 2 ** T - 1;
  const wK = (s: number) => (factorial(s) * factorial(K - s - 1)) / factorial(K);
  const shares = new Map<string, number>();
  // Random groups: players are the random groups plus (if present) the fixed group as one player.
  random.forEach((key, r) => {
    let phi = 0;
    for (let gm = 0; gm < 2 ** R; gm++) {
      if (gm & (1 << r)) continue;
      for (const withFixed of hasFixed ? [false, true] : [false]) {
        const size = popcount(gm) + (withFixed ? 1 : 0);
        const tm = withFixed ? allT : 0;
        phi += wK(size) * (game.value(gm | (1 << r), tm) - game.value(gm, tm));
      }
    }
    shares.set(key, phi);
  });
  const covariates = new Map<string, number>();
  if (hasFixed) {
    // Owen value: groups in Shapley order, covariate terms in Shapley order within the fixed group.
    const wT = (s: number) => (factorial(s) * factorial(T - s - 1)) / factorial(T);
    let fixedTotal = 0;
    game.covariateTerms.forEach((term, i) => {
      let phi = 0;
      for (let gm = 0; gm < 2 ** R; gm++) {
        const wg = wK(popcount(gm));
        for (let tm = 0; tm <= allT; tm++) {
          if (tm & (1 << i)) continue;
          phi += wg * wT(popcount(tm)) * (game.value(gm, tm | (1 << i)) - game.value(gm, tm));
        }
      }
      covariates.set(term, phi);
      fixedTotal += phi;
    });
    shares.set('fixed', fixedTotal);
  }
  shares.set('residual', 1 - game.full);
  const ordered: Record<string, number> = Object.fromEntries([...game.keys, 'residual'].map((k) => [k, shares.get(k)!]));
  return { shares: ordered, covariates: Object.fromEntries(covariates), r2: game.full };
}
