#!/usr/bin/env Rscript
# lme4 reference for formula functions (log, scale, I(x^2)) and offsets.
#
# Run from the repository root:
#   Rscript scripts/reference/transforms.R
#
# Reads test/fixtures/panel-covariate.csv (written by make-fixtures.R) and writes
# test/fixtures/specials/transforms.json: for each formula, REML and ML fits (tight bobyqa)
# with beta (lme4's names), theta, variances, the criterion at the optimum and at
# fixed theta values (lme4's devfun), and the first fitted values (which include
# the offset).

source("scripts/reference/setup.R")

d <- read.csv(file.path(out_dir, "panel-covariate.csv"), stringsAsFactors = FALSE)
d$la <- as.character(d$la)
d$year <- as.character(d$year)
d$off <- round(0.3 * d$imd, 4)   # an offset column, for lmer's offset = argument

cases <- list(
  list(name = "log-scale-power", formula = "y ~ log(imd) + scale(x2) + I(x2^2) + (1 | la) + (1 | year)", offsetColumn = NULL),
  list(name = "offset-term", formula = "y ~ x2 + offset(0.3 * imd) + (1 | la) + (1 | year)", offsetColumn = NULL),
  list(name = "offset-argument", formula = "y ~ x2 + (1 | la) + (1 | year)", offsetColumn = "off"),
  list(name = "log-interaction", formula = "y ~ log(imd):x2 + sqrt(imd) + (1 | la) + (1 | year)", offsetColumn = NULL)
)

one_fit <- function(cs, REML) {
  f <- as.formula(cs$formula)
  m <- if (is.null(cs$offsetColumn)) {
    lmer(f, data = d, REML = REML, control = TIGHT)
  } else {
    lmer(f, data = d, REML = REML, control = TIGHT, offset = d[[cs$offsetColumn]])
  }
  th <- getME(m, "theta")
  names(th) <- sub("\\.\\(Intercept\\)$", "", names(th))
  # A separate deviance function: evaluating the fit's own one would change the fit's state.
  dev <- update(m, devFunOnly = TRUE)
  at <- lapply(list(th, th * 0.5 + 0.1, th * 1.7 + 0.05), function(t) {
    list(theta = as.list(setNames(as.numeric(t), names(th))), value = as.numeric(dev(as.numeric(t))))
  })
  vc <- as.data.frame(VarCorr(m))
  list(
    criterion = if (REML) REMLcrit(m) else deviance(m),
    betaNames = names(fixef(m)),
    beta = as.list(fixef(m)),
    se = as.list(sqrt(diag(as.matrix(vcov(m))))),
    theta = as.list(th),
    sigma = sigma(m),
    varcorr = lapply(seq_len(nrow(vc)), function(i) list(group = vc$grp[i], variance = vc$vcov[i])),
    criterionAt = at,
    fittedHead = unname(head(fitted(m), 8)),
    residualsHead = unname(head(residuals(m), 8))
  )
}

fixtures <- lapply(cases, function(cs) {
  cat(cs$name, "\n")
  list(name = cs$name, formula = cs$formula, offsetColumn = cs$offsetColumn,
       reml = one_fit(cs, TRUE), ml = one_fit(cs, FALSE))
})

out <- list(
  data = "panel-covariate.csv",
  offsetColumnDefinition = "off = round(0.3 * imd, 4)",
  versions = reference_versions(),
  fixtures = fixtures
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
           file.path(out_dir, "specials", "transforms.json"))
