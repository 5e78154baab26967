/**
 * Response families of generalised linear mixed models: the pieces PIRLS and the Laplace
 * deviance need (link, inverse link, its derivative, variance, deviance residuals, the
 * log-likelihood) and the latent-scale distribution-specific variance the components method
 * needs. The numerical safeguards are lme4's (`glmFamily.cpp`): the inverse link and its
 * derivative never return exactly 0 (or 1 for a probability).
 */
import { logChoose, logGamma, trigamma } from '../random/special-functions.js';

/** Family names `fit` accepts. */
export type FamilyName = 'poisson' | 'binomial';

/** Approximations of the Poisson latent-scale distribution-specific variance (Nakagawa et al. 2017). */
export type LatentApproximation = 'lognormal' | 'delta' | 'trigamma';

/** A response family with its canonical link. */
export interface Family {
  readonly name: FamilyName;
  readonly link: 'log' | 'logit';
  /** eta = g(mu). */
  linkfun(mu: number): number;
  /** mu = g^-1(eta). */
  linkinv(eta: number): number;
  /** d mu / d eta. */
  muEta(eta: number): number;
  /** True when `muEta(eta)` is `linkinv(eta)` to the bit (the log link): PIRLS reuses mu. */
  readonly muEtaIsMean: boolean;
  /** Variance function V(mu). */
  variance(mu: number): number;
  /** Weighted unit deviance (one observation's squared deviance residual) at prior weight w. */
  devResid(y: number, mu: number, w: number): number;
  /** Log-likelihood of one observation at prior weight w (binomial: w trials, y the proportion). */
  logLik(y: number, mu: number, w: number): number;
  /**
   * The part of {@link logLik} that does not depend on mu (`-w log y!`, `log C(n, k)`), so that
   * `logLik(y, mu, w) = logLikKernel(y, mu, w) + logLikConstant(y, w)`: fitting evaluates it once.
   */
  logLikConstant(y: number, w: number): number;
  /** {@link logLik} without {@link logLikConstant}. */
  logLikKernel(y: number, mu: number, w: number): number;
  /**
   * The distribution-specific variance on the latent (link) scale. `lambda` is the Poisson mean
   * of the null model (see the components method); the binomial/logit value is pi^2 / 3.
   */
  latentVariance(lambda: number, approximation: LatentApproximation): number;
  /** Whether the family has a free dispersion parameter (neither of these does). */
  readonly dispersion: false;
}

const EPS = 2.220446049250313e-16;
/** Beyond these the logistic is clamped, as R's `binomial()$linkinv` and lme4. */
const LOGIT_THRESH = 30;
const LOGIT_MLTHRESH = -30;

/**
 * The Poisson family with the log link (lme4's `poisson()`).
 *
 * @example
 * ```ts
 * poissonFamily.linkinv(Math.log(3)); // 3
 * poissonFamily.latentVariance(2, 'lognormal'); // log(1 + 1/2)
 * ```
 */
export const poissonFamily: Family = {
  name: 'poisson',
  link: 'log',
  dispersion: false,
  linkfun: (mu) => Math.log(mu),
  linkinv: (eta) => Math.max(Math.exp(eta), EPS),
  muEta: (eta) => Math.max(Math.exp(eta), EPS),
  muEtaIsMean: true,
  variance: (mu) => mu,
  devResid: (y, mu, w) => 2 * w * (y > 0 ? y * Math.log(y / mu) - (y - mu) : mu),
  logLik: (y, mu, w) => w * (y * Math.log(mu) - mu - logGamma(y + 1)),
  logLikConstant: (y, w) => -w * logGamma(y + 1),
  logLikKernel: (y, mu, w) => w * (y * Math.log(mu) - mu),
  latentVariance: (lambda, approximation) => {
    if (approximation === 'delta') return 1 / lambda;
    if (approximation === 'trigamma') return trigamma(lambda);
    return Math.log1p(1 / lambda);
  },
};

function logitInv(eta: number): number {
  if (eta < LOGIT_MLTHRESH) return EPS;
  if (eta > LOGIT_THRESH) return 1 - EPS;
  return 1 / (1 + Math.exp(-eta));
}

const xlogy = (x: number, y: number): number => (x === 0 ? 0 : x * Math.log(y));

/**
 * The binomial family with the logit link (lme4's `binomial()`): y is the proportion of
 * successes and the prior weight the number of trials.
 *
 * @example
 * ```ts
 * binomialFamily.linkinv(0); // 0.5
 * binomialFamily.latentVariance(NaN, 'lognormal'); // pi^2 / 3
 * ```
 */
export const binomialFamily: Family = {
  name: 'binomial',
  link: 'logit',
  dispersion: false,
  linkfun: (mu) => Math.log(mu / (1 - mu)),
  linkinv: logitInv,
  muEtaIsMean: false,
  muEta: (eta) => {
    const a = Math.abs(eta);
    if (a > LOGIT_THRESH) return EPS;
    const e = Math.exp(-a);
    return e / ((1 + e) * (1 + e));
  },
  variance: (mu) => mu * (1 - mu),
  devResid: (y, mu, w) => 2 * w * (xlogy(y, y / mu) + xlogy(1 - y, (1 - y) / (1 - mu))),
  logLik: (y, mu, w) => {
    const k = Math.round(w * y);
    const n = Math.round(w);
    return logChoose(n, k) + xlogy(k, mu) + xlogy(n - k, 1 - mu);
  },
  logLikConstant: (y, w) => logChoose(Math.round(w), Math.round(w * y)),
  logLikKernel: (y, mu, w) => {
    const k = Math.round(w * y);
    const n = Math.round(w);
    return xlogy(k, mu) + xlogy(n - k, 1 - mu);
  },
  latentVariance: () => (Math.PI * Math.PI) / 3,
};

/**
 * The family object for a name.
 *
 * @example
 * ```ts
 * familyFor('poisson').link; // 'log'
 * ```
 */
export function familyFor(name: FamilyName): Family {
  return name === 'poisson' ? poissonFamily : binomialFamily;
}
