# Reference fixtures for generalised linear mixed models (lme4::glmer, Laplace, nAGQ = 1).
#
# Run from the repository root:  Rscript scripts/reference/glmm.R
# Writes test/fixtures/glmm/<name>.csv (the data, read back before fitting) and <name>.json.
#
# Every fit is tightly converged:
#   glmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 2e-4, rhoend = 2e-10, maxfun = 1e5))
# The Laplace deviance at fixed (theta, beta) comes from glmer(..., devFunOnly = TRUE) with a
# tight PIRLS tolerance (tolPwrss = 1e-13, or the tightest of 1e-12, 1e-11, 1e-10 that glmer reaches), called twice at each point so that the warm start of
# its PIRLS state does not matter.
#
# Latent-scale shares are computed here from their definition (Nakagawa, Johnson & Schielzeth
# 2017; see the README), NOT with insight/performance: Debian's insight 0.19.0 computes the
# Poisson distribution-specific variance from exp(b0_null) without the null model's random-effect
# variances, and every insight version ignores the offset.
source("scripts/reference/setup.R")
source("scripts/reference/glmer-polish.R")
dir.create("test/fixtures/glmm", showWarnings = FALSE, recursive = TRUE)

versions <- reference_versions()
tight <- TIGHT_GLMER

# The optimum recorded as `optimum` is glmer's result polished on glmer's own devFunOnly function
# (glmer-polish.R): bobyqa stopped short of the minimum on cbpp by 9e-6 in deviance, 2e-4 in beta.

# Latent-scale variance components by the definition (components method).
latent_shares <- function(m, opt, null_formula, data, family, obs_group, offset_col = NULL) {
  X <- getME(m, "X")
  vf <- var(as.vector(X %*% opt$beta))
  rand <- setNames(opt$theta^2, names(getME(m, "l_i")))
  out <- list(varFixed = vf, random = as.list(rand))
  if (family == "binomial") {
    out$distribution <- list(lognormal = pi^2 / 3, delta = pi^2 / 3, trigamma = pi^2 / 3)
  } else {
    ctrl0 <- glmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 2e-10, maxfun = 1e5))
    m0 <- glmer(null_formula, data = data, family = poisson, control = ctrl0)
    devf0 <- glmer(null_formula, data = data, family = poisson, devFunOnly = TRUE,
                   control = glmerControl(optimizer = "bobyqa", tolPwrss = 1e-12, optCtrl = list(rhoend = 2e-10, maxfun = 1e5)))
    o0 <- polish(devf0, getME(m0, "theta"), fixef(m0))
    s2null <- sum(o0$theta^2)
    b0 <- o0$beta[1]
    off <- if (is.null(offset_col)) 0 else log(data[[offset_col]])
    lambda <- mean(exp(b0 + off + s2null / 2))
    out$null <- list(intercept = b0, theta = o0$theta, sigma2 = s2null, lambda = lambda, logLik = -o0$deviance / 2)
    out$distribution <- list(lognormal = log1p(1 / lambda), delta = 1 / lambda, trigamma = trigamma(lambda))
  }
  shares <- list()
  for (approx in c("lognormal", "delta", "trigamma")) {
    dv <- out$distribution[[approx]]
    total <- vf + sum(rand) + dv
    s <- list(fixed = vf / total)
    for (g in names(rand)) s[[g]] <- rand[[g]] / total
    s$distribution <- dv / total
    obs <- if (is.null(obs_group)) 0 else rand[[obs_group]]
    s$residual <- (dv + obs) / total
    s$total <- total
    shares[[approx]] <- s
  }
  out$shares <- shares
  out
}

make_glmm <- function(name, data, formula, family, obs_group = NULL, null_formula = NULL,
                      offset_col = NULL, weights_col = NULL, points = NULL, note = "", ctrl = tight,
                      ctrlText = "glmerControl(optimizer = 'bobyqa', optCtrl = list(rhobeg = 2e-4, rhoend = 2e-10, maxfun = 1e5))") {
  csv <- file.path("test/fixtures/glmm", paste0(name, ".csv"))
  write.csv(data, csv, row.names = FALSE)
  d <- read.csv(csv, stringsAsFactors = FALSE)
  fam <- if (family == "poisson") poisson else binomial
  fit_it <- function(ctrl, devFunOnly = FALSE) {
    if (is.null(weights_col)) glmer(formula, data = d, family = fam, control = ctrl, devFunOnly = devFunOnly)
    else glmer(formula, data = d, family = fam, control = ctrl, devFunOnly = devFunOnly, weights = d[[weights_col]])
  }
  t0 <- proc.time()[["elapsed"]]
  m <- fit_it(ctrl)
  elapsed <- proc.time()[["elapsed"]] - t0
  # The tightest PIRLS tolerance glmer reaches on this model (it stops with an error when
  # step-halving cannot reduce the deviance further, i.e. when rounding dominates).
  devTol <- NA
  for (tol in c(1e-13, 1e-12, 1e-11, 1e-10)) {
    devf <- tryCatch(fit_it(glmerControl(optimizer = "bobyqa", tolPwrss = tol, optCtrl = list(rhoend = 2e-10, maxfun = 1e5)),
                            devFunOnly = TRUE), error = function(e) NULL)
    if (!is.null(devf)) { devTol <- tol; break }
  }
  th <- getME(m, "theta")
  be <- fixef(m)
  at <- list(c(th, be), c(th * 1.3 + 0.05, be + 0.03 * seq_along(be)), c(th * 0.6, be - 0.02))
  if (!is.null(points)) at <- c(at, points)
  devAt <- list()
  for (p in at) {
    v <- tryCatch({ devf(p); devf(p) }, error = function(e) NA_real_)
    if (is.na(v)) {
      # PIRLS cannot reach tolPwrss = 1e-13 at this point (rounding): leave the point out.
      cat("  skipped devfun point", signif(p, 4), "\n")
      devf <- fit_it(glmerControl(optimizer = "bobyqa", tolPwrss = devTol, optCtrl = list(rhoend = 2e-10, maxfun = 1e5)), devFunOnly = TRUE)
      next
    }
    devAt[[length(devAt) + 1]] <- list(theta = unname(p[seq_along(th)]), beta = unname(p[-seq_along(th)]), value = v)
  }
  vc <- as.data.frame(VarCorr(m))
  vc <- vc[is.na(vc$var2), ]
  V <- as.matrix(vcov(m))
  re <- ranef(m)
  ranefList <- lapply(names(re), function(g) setNames(as.list(re[[g]][[1]]), rownames(re[[g]])))
  names(ranefList) <- names(re)
  opt <- polish(devf, th, be)
  lat <- latent_shares(m, opt, null_formula %||% formula, d, family, obs_group, offset_col)
  res <- list(
    name = name,
    formula = paste(deparse(formula, width.cutoff = 500), collapse = ""),
    family = family,
    data = basename(csv),
    weights = weights_col,
    offset = offset_col,
    obsGroup = obs_group,
    versions = versions,
    control = paste0(ctrlText, "; devFunOnly with tolPwrss = ", devTol),
    note = note,
    nobs = nobs(m),
    ngroups = as.list(getME(m, "l_i")),
    thetaNames = names(th),
    theta = unname(th),
    betaNames = names(be),
    beta = as.list(be),
    se = as.list(sqrt(diag(V))),
    seUnscaled = as.list(sqrt(diag(as.matrix(vcov(m, use.hessian = FALSE))))),
    vcov = unname(V),
    varcorr = lapply(seq_len(nrow(vc)), function(i) list(group = vc$grp[i], variance = vc$vcov[i], sd = vc$sdcor[i])),
    logLik = as.numeric(logLik(m)),
    devianceR = deviance(m),
    minus2logLik = -2 * as.numeric(logLik(m)),
    AIC = AIC(m),
    BIC = BIC(m),
    df = attr(logLik(m), "df"),
    isSingular = isSingular(m),
    devfunAtOptimum = devf(c(th, be)),
    laplaceAt = devAt,
    ranef = ranefList,
    fittedResponse = unname(fitted(m)),
    fittedLink = unname(predict(m, type = "link")),
    devianceResidualsSS = sum(residuals(m, type = "deviance")^2),
    pwrss = getME(m, "devcomp")$cmp[["pwrss"]],
    optimum = opt,
    latent = lat,
    glmerSeconds = elapsed
  )
  writeLines(toJSON(res, auto_unbox = TRUE, digits = I(17), null = "null", pretty = TRUE),
             file.path("test/fixtures/glmm", paste0(name, ".json")))
  cat(sprintf("%-22s logLik %.6f theta %s (%.2fs); polished deviance lower by %.3g\n", name, res$logLik,
              paste(signif(th, 6), collapse = " "), elapsed, opt$improvement))
}
`%||%` <- function(a, b) if (is.null(a)) b else a

# 1. cbpp: binomial with two-column response -------------------------------------------------
cb <- lme4::cbpp
cb <- data.frame(herd = paste0("H", as.character(cb$herd)), period = paste0("P", as.character(cb$period)),
                 incidence = cb$incidence, size = cb$size, stringsAsFactors = FALSE)
make_glmm("cbpp", cb, cbind(incidence, size - incidence) ~ period + (1 | herd), "binomial",
          note = "lme4::cbpp with herd and period written as strings H1.., P1..P4")

# 2. grouseticks: Poisson, three random terms, INDEX is observation-level -------------------
gt <- lme4::grouseticks
gt <- data.frame(INDEX = paste0("I", as.character(gt$INDEX)), TICKS = gt$TICKS,
                 BROOD = paste0("B", as.character(gt$BROOD)), YEAR = paste0("Y", as.character(gt$YEAR)),
                 LOCATION = paste0("L", as.character(gt$LOCATION)), cHEIGHT = gt$cHEIGHT, stringsAsFactors = FALSE)
make_glmm("grouseticks", gt, TICKS ~ YEAR + cHEIGHT + (1 | BROOD) + (1 | INDEX) + (1 | LOCATION), "poisson",
          obs_group = "INDEX", null_formula = TICKS ~ 1 + (1 | BROOD) + (1 | INDEX) + (1 | LOCATION),
          note = "lme4::grouseticks with factors written as strings (I1.., B501.., Y95.., L1..)")

# 3-4. England, Poisson counts with the log child population as offset ------------------------
e <- read.csv("data/england-la-childrens-social-care.csv", stringsAsFactors = FALSE)
e <- e[e$year >= 2013 & e$year <= 2018, c("la_code", "year", "cpp_start_n", "child_pop_0_17_dfe", "imd2019_avg_score")]
e <- e[complete.cases(e), ]
e$obs <- paste0("o", seq_len(nrow(e)))
make_glmm("england-poisson", e,
          cpp_start_n ~ imd2019_avg_score + offset(log(child_pop_0_17_dfe)) + (1 | la_code) + (1 | year), "poisson",
          null_formula = cpp_start_n ~ 1 + offset(log(child_pop_0_17_dfe)) + (1 | la_code) + (1 | year),
          offset_col = "child_pop_0_17_dfe",
          note = "England 2013-2018, complete rows; offset log(child_pop_0_17_dfe)")
make_glmm("england-poisson-olre", e,
          cpp_start_n ~ imd2019_avg_score + offset(log(child_pop_0_17_dfe)) + (1 | la_code) + (1 | year) + (1 | obs), "poisson",
          obs_group = "obs",
          null_formula = cpp_start_n ~ 1 + offset(log(child_pop_0_17_dfe)) + (1 | la_code) + (1 | year) + (1 | obs),
          offset_col = "child_pop_0_17_dfe",
          ctrl = glmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 2e-10, maxfun = 1e5)),
          ctrlText = "glmerControl(optimizer = 'bobyqa', optCtrl = list(rhoend = 2e-10, maxfun = 1e5)) (with rhobeg = 2e-4 glmer's PIRLS fails: step-halvings)",
          note = "England 2013-2018, complete rows; offset log(child_pop_0_17_dfe); observation-level effect obs")

# 5. VerbAgg: a large crossed binomial (0/1 response) -----------------------------------------
va <- lme4::VerbAgg
va <- data.frame(id = paste0("S", as.character(va$id)), item = as.character(va$item), r2 = as.integer(va$r2 == "Y"),
                 Anger = va$Anger, Gender = as.character(va$Gender), btype = as.character(va$btype),
                 situ = as.character(va$situ), stringsAsFactors = FALSE)
make_glmm("verbagg", va, r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 | item), "binomial",
          note = "lme4::VerbAgg, r2 coded 1 for Y; id written as S1..")
