# The polish every glmer reference optimum gets (sourced by glmm.R and glmm-slopes.R).
#
# glmer's bobyqa, even with rhoend = 2e-10, can stop short of the minimum of its own Laplace
# deviance. `polish` runs Nelder-Mead twice on glmer's devFunOnly function `devf` from glmer's
# (theta, beta) and keeps the result only when it lowers that function. theta is searched
# unconstrained and mapped by `rect` (abs for scalar terms; a column flip for vector terms, which
# leaves Lambda Lambda' unchanged). The covariance of beta is lme4's: the beta block of 2 H^-1, H
# the Hessian of devf in (theta, beta) from lme4:::deriv12 (vcov.merMod with use.hessian = TRUE).
polish <- function(devf, th, be, rect = abs, maxit = 20000) {
  k <- length(th)
  g <- function(p) devf(c(rect(p[seq_len(k)]), p[-seq_len(k)]))
  p0 <- c(th, be)
  f0 <- g(p0)
  o <- optim(p0, g, method = "Nelder-Mead", control = list(reltol = 1e-15, maxit = maxit))
  o <- optim(o$par, g, method = "Nelder-Mead", control = list(reltol = 1e-15, maxit = maxit))
  par <- if (o$value < f0) o$par else p0
  par[seq_len(k)] <- rect(par[seq_len(k)])
  dev <- g(par)
  H <- lme4:::deriv12(devf, par)$Hessian
  V <- solve(H)[-seq_len(k), -seq_len(k), drop = FALSE]
  V <- V + t(V)
  list(theta = unname(par[seq_len(k)]), beta = unname(par[-seq_len(k)]), deviance = dev,
       glmerDeviance = f0, improvement = f0 - dev, vcov = unname(V), se = sqrt(diag(V)))
}
