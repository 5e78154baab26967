/**
 * Where the dense engine stops. The random terms after the largest are factored densely: the
 * block has order `m = (levels of the other terms) + p + 1`, and a fit holds `B` and its working
 * copy (`m^2` doubles each) and the first term's cross-products `g` (`q1 x m` doubles). Beyond
 * {@link DENSE_BLOCK_LIMIT_BYTES} the model is refused before anything is allocated, with a
 * message that names the terms and the sizes, instead of an out-of-memory crash minutes later.
 */
import { VardecompError } from '../errors.js';
import { diagnostic, type Diagnostic } from '../diagnostics.js';

/** The largest memory (bytes) the dense block and the first term's cross-products may take. */
export const DENSE_BLOCK_LIMIT_BYTES = 2 ** 31;

/** Memory (bytes) and multiply-adds per evaluation of the dense engine for a design. */
export interface DenseBlockCost {
  /** Order of the dense block. */
  readonly m: number;
  readonly bytes: number;
  /** `m^3 / 3`: the multiply-adds of one Cholesky factorisation of the block. */
  readonly choleskyMultiplyAdds: number;
}

/**
 * The dense engine's cost for random terms with `levels` (engine order: most levels first) and
 * `p` fixed-effect columns.
 *
 * @example
 * ```ts
 * denseBlockCost([2972, 1128, 14], 1); // InstEval: m = 1,144, about 48 MB, 5e8 multiply-adds
 * ```
 */
export function denseBlockCost(levels: readonly number[], p: number): DenseBlockCost {
  const q1 = levels[0] ?? 0;
  let m = p + 1;
  for (let k = 1; k < levels.length; k++) m += levels[k];
  return { m, bytes: 8 * (2 * m * m + q1 * m), choleskyMultiplyAdds: (m * m * m) / 3 };
}

/**
 * Refuse (E_UNSUPPORTED) a design whose dense block would exceed {@link DENSE_BLOCK_LIMIT_BYTES}.
 * `terms` are the random terms in engine order (most levels first).
 *
 * @example
 * ```ts
 * checkDenseBlockSize([{ group: 's', nlevels: 2972 }, { group: 'd', nlevels: 1128 }], 1); // fine
 * ```
 */
export function checkDenseBlockSize(terms: readonly { group: string; nlevels: number }[], p: number): void {
  const cost = denseBlockCost(
    terms.map((t) => t.nlevels),
    p,
  );
  if (cost.bytes <= DENSE_BLOCK_LIMIT_BYTES) return;
  const rest = terms.slice(1).map((t) => `"${t.group}" (${t.nlevels.toLocaleString('en-US')} levels)`);
  const gib = (cost.bytes / 2 ** 30).toFixed(1);
  throw new VardecompError(
    'E_UNSUPPORTED',
    `The crossed random terms ${rest.join(', ')} need a dense block of order ${cost.m.toLocaleString('en-US')} ` +
      `(${gib} GiB, about ${cost.choleskyMultiplyAdds.toExponential(1)} multiply-adds per evaluation), beyond this ` +
      `library's limit of ${DENSE_BLOCK_LIMIT_BYTES / 2 ** 30} GiB: only the term with the most levels ` +
      `("${terms[0].group}") is eliminated in closed form. Fit it with a sparse solver (lme4, MixedModels.jl), ` +
      'or reduce the other terms\' levels (fit within subsets, or group rare levels)',
    { m: cost.m, bytes: cost.bytes },
  );
}

/**
 * Multiply-adds per criterion evaluation above which a fit is announced as slow: a dense block
 * of order about 1,800 (a second grouping factor with that many levels). A fit takes some 50 to
 * 200 evaluations, so beyond this it runs for minutes, growing with the cube of the levels.
 */
export const DENSE_SLOW_MULTIPLY_ADDS = 2e9;

/**
 * A `LARGE_DENSE_BLOCK` warning when the dense block makes each evaluation expensive (beyond
 * {@link DENSE_SLOW_MULTIPLY_ADDS}), or null; `terms` in engine order (most levels first).
 *
 * @example
 * ```ts
 * denseBlockWarning([{ group: 'unit', nlevels: 5000 }, { group: 'site', nlevels: 3000 }], 2)?.message;
 * ```
 */
export function denseBlockWarning(terms: readonly { group: string; nlevels: number }[], p: number): Diagnostic | null {
  const cost = denseBlockCost(
    terms.map((t) => t.nlevels),
    p,
  );
  if (cost.choleskyMultiplyAdds <= DENSE_SLOW_MULTIPLY_ADDS) return null;
  const rest = terms.slice(1).map((t) => `"${t.group}" (${t.nlevels.toLocaleString('en-US')} levels)`);
  return diagnostic(
    'LARGE_DENSE_BLOCK',
    'warning',
    `The random terms ${rest.join(', ')} make each criterion evaluation factor a dense block of order ` +
      `${cost.m.toLocaleString('en-US')} (${(cost.bytes / 2 ** 20).toFixed(0)} MiB, about ${cost.choleskyMultiplyAdds.toExponential(1)} ` +
      `multiply-adds); a fit takes 50 to 200 evaluations, so expect minutes, growing with the cube of those levels`,
  );
}
