#!/usr/bin/env Rscript
# Reference for src/decompose/few-levels-cutoff.ts and src/random/chi-square-cdf.ts.
#
# Run from the repository root:
#   Rscript scripts/reference/few-levels-cutoff.R
#
# Balanced one-way layout, k + 1 levels, within-level variance known: the REML deviance of the
# variance ratio rho >= 1 is k log(rho) + k F / rho with F = u r, u ~ chi2_k / k at the true
# ratio r. The statistic LR(u) = dev(r) - min_{rho >= 1} dev(rho) is computed here by numerical
# minimisation (optimize), not from a closed form; the regions where LR > c are found by
# uniroot on a fine grid, their chi-square probability by pchisq, and the cut-off c with
# P(LR > c) = 1 - level by uniroot. Writes test/fixtures/few-levels-cutoff.json.
suppressPackageStartupMessages(library(jsonlite))

lr_of <- function(u, k, r) {
  Fv <- u * r
  dev <- function(rho) k * log(rho) + k * Fv / rho
  best <- optimize(dev, c(1, max(2, 4 * Fv + 10)), tol = 1e-13)$objective
  best <- min(best, dev(1), if (Fv >= 1) dev(Fv) else Inf)
  dev(r) - best
}

tail_prob <- function(cc, k, r) {
  # Sign changes of LR(u) - c on a grid of u (log-spaced), refined by uniroot.
  us <- exp(seq(log(1e-8), log(60), length.out = 4000))
  f <- function(u) lr_of(u, k, r) - cc
  vals <- vapply(us, f, 0)
  p <- 0
  inside <- vals[1] > 0
  start <- 0
  for (i in seq_along(us)[-1]) {
    if ((vals[i] > 0) != (vals[i - 1] > 0)) {
      root <- uniroot(f, c(us[i - 1], us[i]), tol = 1e-14)$root
      if (inside) p <- p + pchisq(k * root, k) - pchisq(k * start, k)
      inside <- !inside
      start <- root
    }
  }
  if (inside) p <- p + pchisq(k * start, k, lower.tail = FALSE)
  p
}

cutoff <- function(k, r, level) uniroot(function(cc) tail_prob(cc, k, r) - (1 - level), c(0.2, 12), tol = 1e-12)$root

cases <- expand.grid(k = c(1, 4, 7, 11, 29), r = c(1, 1.3, 2.54, 6, 1e4), level = c(0.95, 0.9))
cases$cutoff <- mapply(cutoff, cases$k, cases$r, cases$level)
chisq <- data.frame(x = c(0.3, 25, 150, 1e-3, 60, 2.5, 9.487729036781154), df = c(7, 7, 120, 2, 4, 0.5, 4))
chisq$cdf <- pchisq(chisq$x, chisq$df)
chisq$survival <- pchisq(chisq$x, chisq$df, lower.tail = FALSE)
out <- list(
  r_version = R.version.string,
  cutoffs = cases,
  chisq = chisq
)
writeLines(toJSON(out, digits = NA, pretty = TRUE), file.path("test", "fixtures", "few-levels-cutoff.json"))
print(cases)
