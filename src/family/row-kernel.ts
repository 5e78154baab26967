/**
 * Row kernels: one pass over the rows from the linear predictor to everything a PIRLS step
 * needs of the family — the mean, the working weights and response, the sum of deviance
 * residuals and the conditional log-likelihood.
 *
 * The family functions ({@link Family}) answer one question per call; a PIRLS pass asks all of
 * them for every row. For the Poisson/log and binomial/logit families the kernels here compute
 * them together from eta: one `exp` per row for the Poisson (its log-likelihood is linear in eta),
 * one `exp` and one `log1p` for the binomial. Rows where lme4's safeguards clamp the mean
 * (`|eta| > 30` for the logit, `exp(eta) < eps` for the log) and any other family go through the
 * family functions as they are.
 *
 * The log-likelihood is summed row by row with each row's constant (`-log y!`, `log C(n, k)`):
 * summed apart, the two large and opposite totals would cancel and leave rounding noise far
 * above the rows' own in the deviance.
 */
import type { Family } from './family.js';

/** The sums of one kernel pass (caller-owned, overwritten). */
export interface RowSums {
  /** Sum of the deviance residuals (squared): the weighted unit deviances. */
  dev: number;
  /** Conditional log-likelihood `sum log p(y_i | mu_i)`, constants included. */
  logLik: number;
}

/** The per-row work of a PIRLS pass for one family and one response. */
export interface RowKernel {
  /**
   * From `eta` (read only): `mu_i = g^-1(eta_i)`, the working weight
   * `w_i = pw_i mu_eta(eta_i)^2 / V(mu_i)` and the working response
   * `z_i = eta_i - shift_i + (y_i - mu_i) / mu_eta(eta_i)`, written into `mu`, `w` and `z`; the
   * sums of the deviance residuals and of the log-likelihood go into `out`.
   */
  evaluate(eta: Float64Array, shift: Float64Array, mu: Float64Array, w: Float64Array, z: Float64Array, out: RowSums): void;
}

/** Below this `exp(eta)` lme4's log link returns eps instead. */
const EPS = 2.220446049250313e-16;
/** Beyond this `|eta|` lme4's logit link clamps the mean and its derivative. */
const LOGIT_THRESH = 30;

/**
 * The row kernel of a family for the response `y` and prior weights `pw`: specialised for the
 * Poisson/log and binomial/logit families, the family functions otherwise.
 *
 * @example
 * ```ts
 * const k = rowKernel(binomialFamily, Float64Array.of(1, 0), Float64Array.of(1, 1));
 * const mu = new Float64Array(2), w = new Float64Array(2), z = new Float64Array(2);
 * const sums = { dev: 0, logLik: 0 };
 * k.evaluate(Float64Array.of(0, 0), new Float64Array(2), mu, w, z, sums);
 * // mu = [0.5, 0.5], w = [0.25, 0.25], z = [2, -2], sums.logLik = 2 log(0.5)
 * ```
 */
export function rowKernel(family: Family, y: Float64Array, pw: Float64Array): RowKernel {
  if (family.name === 'poisson' && family.link === 'log') return new PoissonLogKernel(family, y, pw);
  if (family.name === 'binomial' && family.link === 'logit') return new BinomialLogitKernel(family, y, pw);
  return new GeneralRowKernel(family, y, pw);
}

/**
 * The row kernel that calls the family functions for every row (the reference the specialised
 * kernels are tested against, and the path of any other family).
 *
 * @example
 * ```ts
 * const k = new GeneralRowKernel(poissonFamily, Float64Array.of(2), Float64Array.of(1));
 * ```
 */
export class GeneralRowKernel implements RowKernel {
  private readonly constants: Float64Array;

  constructor(
    private readonly family: Family,
    private readonly y: Float64Array,
    private readonly pw: Float64Array,
  ) {
    this.constants = logLikConstants(family, y, pw);
  }

  evaluate(eta: Float64Array, shift: Float64Array, mu: Float64Array, w: Float64Array, z: Float64Array, out: RowSums): void {
    const { family, y, pw, constants } = this;
    let dev = 0;
    let ll = 0;
    for (let i = 0; i < eta.length; i++) {
      const r = generalRow(family, y[i], pw[i], eta, shift, i, mu, w, z);
      dev += r.dev;
      ll += r.ll + constants[i];
    }
    out.dev = dev;
    out.logLik = ll;
  }
}

/** Each row's mu-free part of the log-likelihood (`-pw log y!`, `log C(n, k)`). */
function logLikConstants(family: Family, y: Float64Array, pw: Float64Array): Float64Array {
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = family.logLikConstant(y[i], pw[i]);
  return out;
}

/**
 * Row i through the family functions: mu, w and z written, the deviance residual and the
 * log-likelihood without its constant returned (in a reused scratch object).
 */
const rowOut = { dev: 0, ll: 0 };
function generalRow(
  family: Family,
  y: number,
  pw: number,
  eta: Float64Array,
  shift: Float64Array,
  i: number,
  mu: Float64Array,
  w: Float64Array,
  z: Float64Array,
): typeof rowOut {
  const e = eta[i];
  const m = family.linkinv(e);
  const d = family.muEtaIsMean ? m : family.muEta(e);
  mu[i] = m;
  w[i] = (pw * d * d) / family.variance(m);
  z[i] = e - shift[i] + (y - m) / d;
  rowOut.dev = family.devResid(y, m, pw);
  rowOut.ll = family.logLikKernel(y, m, pw);
  return rowOut;
}

/**
 * Poisson with the log link: `mu = w_eta = exp(eta)`, `w = pw mu`, `log mu = eta`, so the row's
 * log-likelihood `pw (y eta - mu) - pw log y!` and deviance residual
 * `2 pw (y (log y - eta) - (y - mu))` need no logarithm.
 */
class PoissonLogKernel implements RowKernel {
  private readonly constants: Float64Array;
  private readonly logY: Float64Array;

  constructor(
    private readonly family: Family,
    private readonly y: Float64Array,
    private readonly pw: Float64Array,
  ) {
    this.constants = logLikConstants(family, y, pw);
    this.logY = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) this.logY[i] = y[i] > 0 ? Math.log(y[i]) : 0;
  }

  evaluate(eta: Float64Array, shift: Float64Array, mu: Float64Array, w: Float64Array, z: Float64Array, out: RowSums): void {
    const { y, pw, constants, logY } = this;
    let dev = 0;
    let ll = 0;
    for (let i = 0; i < eta.length; i++) {
      const e = eta[i];
      const m = Math.exp(e);
      const yi = y[i];
      const p = pw[i];
      if (m < EPS) {
        const r = generalRow(this.family, yi, p, eta, shift, i, mu, w, z);
        dev += r.dev;
        ll += r.ll + constants[i];
        continue;
      }
      mu[i] = m;
      w[i] = p * m;
      z[i] = e - shift[i] + (yi - m) / m;
      dev += 2 * p * (yi > 0 ? yi * (logY[i] - e) - (yi - m) : m);
      ll += p * (yi * e - m) + constants[i];
    }
    out.dev = dev;
    out.logLik = ll;
  }
}

/**
 * Binomial with the logit link. With `a = |eta|`, `e = exp(-a)` and `s = 1 + e`, the mean and
 * its complement are `1/s` and `e/s` (in the order of eta's sign), `mu_eta = e / s^2`,
 * `w = pw mu_eta`, `log mu` and `log(1 - mu)` are `-log1p(e)` and `-a - log1p(e)`, and
 * `(y - mu) / mu_eta = y / mu - (1 - y) / (1 - mu)`: one `exp` and one `log1p` per row, and no
 * cancellation in `1 - mu`.
 */
class BinomialLogitKernel implements RowKernel {
  private readonly constants: Float64Array;
  /** Successes k and failures n - k (rounded, as the log-likelihood takes them). */
  private readonly k: Float64Array;
  private readonly nk: Float64Array;
  /** The mu-free part of each row's deviance residual, `2 pw (y log y + (1 - y) log(1 - y))`. */
  private readonly devSat: Float64Array;
  /** Every row one trial with outcome 0 or 1 (no constants, no saturated part): a leaner loop. */
  private readonly binary: boolean;

  constructor(
    private readonly family: Family,
    private readonly y: Float64Array,
    private readonly pw: Float64Array,
  ) {
    const n = y.length;
    this.constants = logLikConstants(family, y, pw);
    this.k = new Float64Array(n);
    this.nk = new Float64Array(n);
    this.devSat = new Float64Array(n);
    const xlogx = (x: number): number => (x === 0 ? 0 : x * Math.log(x));
    for (let i = 0; i < n; i++) {
      const yi = y[i];
      const p = pw[i];
      this.k[i] = Math.round(p * yi);
      this.nk[i] = Math.round(p) - Math.round(p * yi);
      // 0 for a 0/1 outcome
      this.devSat[i] = yi === 0 || yi === 1 ? 0 : 2 * p * (xlogx(yi) + xlogx(1 - yi));
    }
    let binary = true;
    for (let i = 0; i < n && binary; i++) binary = pw[i] === 1 && (y[i] === 0 || y[i] === 1);
    this.binary = binary;
  }

  /**
   * {@link evaluate} for one trial per row and outcomes 0 or 1: the row's log-likelihood is
   * `log mu` or `log(1 - mu)` and its deviance residual -2 times that (the same numbers as the
   * general loop, term for term, without its per-row constants).
   */
  private evaluateBinary(eta: Float64Array, shift: Float64Array, mu: Float64Array, w: Float64Array, z: Float64Array, out: RowSums): void {
    const y = this.y;
    let dev = 0;
    let ll = 0;
    for (let i = 0; i < eta.length; i++) {
      const et = eta[i];
      const a = Math.abs(et);
      if (a > LOGIT_THRESH) {
        const r = generalRow(this.family, y[i], 1, eta, shift, i, mu, w, z);
        dev += r.dev;
        ll += r.ll;
        continue;
      }
      const e = Math.exp(-a);
      const s = 1 + e;
      const l = Math.log1p(e);
      const pos = et >= 0;
      mu[i] = pos ? 1 / s : e / s;
      w[i] = e / (s * s);
      // y = 1: log mu and 1/mu; y = 0: log(1 - mu) and -1/(1 - mu)
      let lr: number;
      let tail: number;
      if (y[i] === 1) {
        lr = pos ? -l : -a - l;
        tail = pos ? s : s / e;
      } else {
        lr = pos ? -a - l : -l;
        tail = pos ? -s / e : -s;
      }
      z[i] = et - shift[i] + tail;
      dev += -2 * lr;
      ll += lr;
    }
    out.dev = dev;
    out.logLik = ll;
  }

  evaluate(eta: Float64Array, shift: Float64Array, mu: Float64Array, w: Float64Array, z: Float64Array, out: RowSums): void {
    if (this.binary) {
      this.evaluateBinary(eta, shift, mu, w, z, out);
      return;
    }
    const { y, pw, constants, k, nk, devSat } = this;
    let dev = 0;
    let ll = 0;
    for (let i = 0; i < eta.length; i++) {
      const et = eta[i];
      const yi = y[i];
      const p = pw[i];
      const a = Math.abs(et);
      if (a > LOGIT_THRESH) {
        const r = generalRow(this.family, yi, p, eta, shift, i, mu, w, z);
        dev += r.dev;
        ll += r.ll + constants[i];
        continue;
      }
      const e = Math.exp(-a);
      const s = 1 + e;
      const l = Math.log1p(e);
      // mean and complement, their reciprocals and logs, by the sign of eta
      let m: number, invM: number, invQ: number, logM: number, logQ: number;
      if (et >= 0) {
        m = 1 / s;
        invM = s;
        invQ = s / e;
        logM = -l;
        logQ = -a - l;
      } else {
        m = e / s;
        invM = s / e;
        invQ = s;
        logM = -a - l;
        logQ = -l;
      }
      mu[i] = m;
      w[i] = (p * e) / (s * s);
      const tail = yi === 1 ? invM : yi === 0 ? -invQ : yi * invM - (1 - yi) * invQ;
      z[i] = et - shift[i] + tail;
      dev += devSat[i] - 2 * p * (yi * logM + (1 - yi) * logQ);
      ll += k[i] * logM + nk[i] * logQ + constants[i];
    }
    out.dev = dev;
    out.logLik = ll;
  }
}
