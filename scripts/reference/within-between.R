#!/usr/bin/env Rscript
# lme4 reference for the within/between split of a time-varying covariate.
#
# Run from the repository root:
#   Rscript scripts/reference/within-between.R
#
# England panel (data/england-la-childrens-social-care.csv), 2015-2018: child-protection
# plan starts per 10,000 children on the child-poverty measure split into its
# between-authority part (the authority's mean over the model rows) and its
# within-authority part (the deviation from that mean), beside the time-invariant
# IMD 2019 score:
#
#   cpp_start_rate ~ between(cilif, la_code) + within(cilif, la_code)
#                    + imd2019_avg_score + (1 | la_code) + (1 | year)
#
# The two columns are computed here the way an lme4 user precomputes them: over
# the complete rows of the model, unweighted means (ave()). Writes
# test/fixtures/specials/within-between.json with REML and ML fits (tight bobyqa), the
# criterion at fixed theta, and the components decomposition computed from its
# definition: var(X beta) (n - 1 denominator), each term's var(X_t beta_t)
# rescaled to add to the fixed part, the random variances and sigma^2.

source("scripts/reference/setup.R")

raw <- read.csv(file.path("data", "england-la-childrens-social-care.csv"), stringsAsFactors = FALSE)
raw <- raw[raw$year >= 2015 & raw$year <= 2018, ]
cols <- c("cpp_start_rate", "cilif_rel_per100_0_17", "imd2019_avg_score", "la_code", "year")
d <- na.omit(raw[, cols])
d$year <- as.character(d$year)
d$between_cilif <- ave(d$cilif_rel_per100_0_17, d$la_code)
d$within_cilif <- d$cilif_rel_per100_0_17 - d$between_cilif

labels <- c(between_cilif = "between(cilif_rel_per100_0_17, la_code)",
            within_cilif = "within(cilif_rel_per100_0_17, la_code)",
            imd2019_avg_score = "imd2019_avg_score")
fml <- cpp_start_rate ~ between_cilif + within_cilif + imd2019_avg_score + (1 | la_code) + (1 | year)

relabel <- function(nm) ifelse(nm %in% names(labels), labels[nm], nm)

one_fit <- function(REML) {
  m <- lmer(fml, data = d, REML = REML, control = TIGHT)
  th <- getME(m, "theta")
  names(th) <- sub("\\.\\(Intercept\\)$", "", names(th))
  dev <- update(m, devFunOnly = TRUE)
  at <- lapply(list(th, th * 0.5 + 0.1, c(1, 0.3)), function(t) {
    list(theta = as.list(setNames(as.numeric(t), names(th))), value = as.numeric(dev(as.numeric(t))))
  })
  b <- fixef(m)
  X <- getME(m, "X")
  terms <- setdiff(colnames(X), "(Intercept)")
  parts <- sapply(terms, function(t) var(X[, t] * b[t]))
  fixed <- var(as.numeric(X %*% b))
  vc <- as.data.frame(VarCorr(m))
  rand <- setNames(vc$vcov[vc$grp != "Residual"], vc$grp[vc$grp != "Residual"])
  resid <- sigma(m)^2
  total <- fixed + sum(rand) + resid
  list(
    criterion = if (REML) REMLcrit(m) else deviance(m),
    betaNames = relabel(names(b)),
    beta = as.list(setNames(as.numeric(b), relabel(names(b)))),
    se = as.list(setNames(sqrt(diag(as.matrix(vcov(m)))), relabel(names(b)))),
    theta = as.list(th),
    sigma = sigma(m),
    varcorr = lapply(seq_len(nrow(vc)), function(i) list(group = vc$grp[i], variance = vc$vcov[i])),
    isSingular = isSingular(m),
    criterionAt = at,
    components = list(
      varFixed = fixed,
      varRandom = as.list(rand),
      varResidual = resid,
      shares = c(list(fixed = fixed / total), as.list(rand / total), list(residual = resid / total)),
      covariates = as.list(setNames(parts / sum(parts) * fixed / total, relabel(terms)))
    )
  )
}

out <- list(
  data = "data/england-la-childrens-social-care.csv, years 2015-2018",
  formula = paste("cpp_start_rate ~ between(cilif_rel_per100_0_17, la_code) + within(cilif_rel_per100_0_17, la_code)",
                  "+ imd2019_avg_score + (1 | la_code) + (1 | year)"),
  nrowData = nrow(raw),
  nobs = nrow(d),
  columns = list(
    betweenSum = sum(d$between_cilif), betweenSumSq = sum(d$between_cilif^2),
    withinSumSq = sum(d$within_cilif^2), withinHead = head(d$within_cilif, 8)
  ),
  versions = reference_versions(),
  reml = one_fit(TRUE),
  ml = one_fit(FALSE)
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
           file.path(out_dir, "specials", "within-between.json"))
cat("within-between: nobs", nrow(d), "REML", out$reml$criterion, "ML", out$ml$criterion, "\n")
