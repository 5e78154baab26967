# Reference fits for the inputs `npm run fuzz -- --glmm` found broken (scripts/fuzz-glmm.ts),
# each reduced to a small data set written here literally.
#
# Run from the repository root:  Rscript scripts/reference/glmm-fuzz.R
# Writes test/fixtures/glmm/fuzz-cases.json: per case the data, the formula and glmer's optimum.
#
# Fits: glmer with the project's tight bobyqa controls and tolPwrss = 1e-13 unless a case says
# otherwise (glmer's default
# 1e-7 leaves PIRLS short of the modes on a covariate with a huge value: its deviance at a fixed
# point is then off by 2e-4), and the deviance is glmer's own devFunOnly function (same tolerance)
# at the optimum. The covariance of beta is lme4's vcov (from the Hessian, or from R_X when that
# is not positive definite, as lme4 does).
source("scripts/reference/setup.R")
dir.create("test/fixtures/glmm", showWarnings = FALSE, recursive = TRUE)
ctl <- glmerControl(optimizer = "bobyqa", tolPwrss = 1e-13, optCtrl = TIGHT_OPT)

fit_case <- function(name, data, formula, family, note, fit_ctl = ctl, dev_ctl = ctl) {
  m <- glmer(as.formula(formula), data = data, family = family, control = fit_ctl)
  dev <- glmer(as.formula(formula), data = data, family = family, control = dev_ctl, devFunOnly = TRUE)
  par <- c(getME(m, "theta"), fixef(m))
  cat(sprintf("%s: theta %s deviance %.10f\n", name, paste(format(getME(m, "theta"), digits = 8), collapse = " "), dev(par)))
  list(
    name = name, note = note, formula = formula, family = family,
    data = as.list(data),
    theta = I(num(getME(m, "theta"))), beta = I(num(fixef(m))), betaNames = I(names(fixef(m))),
    deviance = dev(par), se = I(num(sqrt(diag(as.matrix(vcov(m))))))
  )
}

cases <- list()

# A covariate with one huge value (1.7e5) under a random slope: PIRLS from the previous theta's
# modes overflows the mean; the fit must still reach glmer's optimum.
x <- c(0.167, 0.012, -0.848, 1.021, 1.265, 166558.322, -0.892, -0.867, -1.713, 0.672, -0.384, -0.142, 0.274, 0.874, -1.459, 0.285, 0.415, 0.47, -1.819, -0.804, -0.648, 0.712, 0.92, 0.372, -0.314, 0.062, -0.096, -0.736, 1.137, 0.252, -0.39, -0.867, -0.676, -1.779, -0.29, 0.237, 1.322, -0.388, -0.209, -0.058)
y <- c(10, 4, 1, 3, 11, 1, 1, 4, 0, 3, 2, 0, 1, 0, 7, 3, 0, 6, 2, 6, 0, 7, 2, 3, 1, 3, 1, 0, 2, 10, 0, 3, 2, 0, 3, 2, 2, 2, 1, 8)
g <- paste0("U", rep(0:19, each = 2))
cases[[length(cases) + 1]] <- fit_case(
  "slope-huge-covariate", data.frame(y = y, x = x, g = g), "y ~ x + (0 + x | g)", "poisson",
  "one value of x is 1.7e5: PIRLS restarts from u = 0 when a step from kept modes overflows the mean"
)

# Quasi-complete separation (every count of region N is 0): the Hessian of the Laplace deviance
# is not positive definite, and glmer's vcov falls back to R_X (with a warning). regionN runs off
# to -Inf (glmer stops near -35); the other standard errors are defined.
cases[[length(cases) + 1]] <- fit_case(
  "separation-vcov-rx",
  data.frame(
    y = c(0, 0, 0, 0, 3, 5, 2, 4, 1, 0, 2, 1),
    region = rep(c("N", "S", "E"), each = 4),
    g = rep(c("a", "b", "c", "d"), 3)
  ),
  "y ~ region + (1 | g)", "poisson",
  "region N has only zero counts: vcov from R_X, as glmer's"
)

# No intercept and counts near 1e6: the GLM start's first step from log(y) overshoots to a slope
# of 335 (the mean overflows in every later step); the start halves it back, as glm.fit.
cases[[length(cases) + 1]] <- fit_case(
  "no-intercept-huge-counts",
  data.frame(
    y = c(1158995, 1360365, 754328, 424184),
    x = c(1.4965512510466474, -0.4585882323878366, -0.17255597691709118, -0.704323718587572),
    obs = c("o0", "o1", "o2", "o3")
  ),
  "y ~ 0 + x + (1 | obs)", "poisson",
  "the GLM start halves a step that raises the deviance",
  # glmer's PIRLS fails at tolPwrss 1e-10 and below here: fitted at its default, the deviance
  # from devFunOnly at 1e-9 (the same to 1e-14 as at 1e-7)
  fit_ctl = glmerControl(optimizer = "bobyqa", optCtrl = TIGHT_OPT),
  dev_ctl = glmerControl(optimizer = "bobyqa", tolPwrss = 1e-9, optCtrl = TIGHT_OPT)
)

write_json(list(versions = reference_versions(), cases = cases), "test/fixtures/glmm/fuzz-cases.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
