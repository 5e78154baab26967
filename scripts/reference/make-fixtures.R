#!/usr/bin/env Rscript
# Reference fixtures for vardecomp, generated with R + lme4.
#
# Run from the repository root:
#   Rscript scripts/reference/make-fixtures.R
#
# For every fixture NAME this writes
#   test/fixtures/NAME.csv   the data (write.csv(row.names = FALSE, na = ""))
#   test/fixtures/NAME.json  lme4 REML + ML fits, deviance-function evaluations
#                            and the variance decomposition (see README.md).
#
# All fits are done on the data *read back* from the CSV, so the numbers in the
# JSON correspond exactly to what a CSV reader sees.
#
# Numbers in the JSON are written with the shortest decimal representation that
# round-trips to the same IEEE double (up to 17 significant digits). jsonlite's
# own number formatting stops at 15 significant digits even with digits = NA, so
# the JSON text is produced by the small serializer below and then
# pretty-printed with jsonlite::prettify (which keeps number tokens verbatim).

source("scripts/reference/setup.R")
suppressPackageStartupMessages({
  library(insight)
  library(performance)
})

versions <- reference_versions(c("lme4", "insight", "performance", "Matrix", "jsonlite"))

# ---------------------------------------------------------------------------
# Minimal JSON serializer with full double precision
# ---------------------------------------------------------------------------
fmt_num <- function(x) {
  if (is.na(x) || !is.finite(x)) return("null")
  if (is.integer(x)) return(as.character(x))
  if (x == 0) return("0")
  for (d in 15:17) {
    s <- sprintf(paste0("%.", d, "g"), x)
    if (as.numeric(s) == x) return(s)
  }
  sprintf("%.17g", x)
}
json_str <- function(s) {
  if (is.na(s)) return("null")
  as.character(jsonlite::toJSON(jsonlite::unbox(enc2utf8(s))))
}
json_atom <- function(v) {
  if (is.logical(v)) return(ifelse(is.na(v), "null", ifelse(v, "true", "false")))
  if (is.numeric(v)) return(vapply(v, fmt_num, ""))
  vapply(as.character(v), json_str, "", USE.NAMES = FALSE)
}
to_json <- function(x) {
  if (is.null(x)) return("null")
  force_array <- inherits(x, "AsIs")
  if (force_array) class(x) <- setdiff(class(x), "AsIs")
  if (is.matrix(x)) {
    rows <- vapply(seq_len(nrow(x)), function(i) paste0("[", paste(json_atom(unname(x[i, ])), collapse = ","), "]"), "")
    return(paste0("[", paste(rows, collapse = ","), "]"))
  }
  if (is.list(x)) {
    if (!is.null(names(x))) {
      parts <- vapply(seq_along(x), function(i) paste0(json_str(names(x)[i]), ":", to_json(x[[i]])), "")
      return(paste0("{", paste(parts, collapse = ","), "}"))
    }
    return(paste0("[", paste(vapply(x, to_json, ""), collapse = ","), "]"))
  }
  if (is.factor(x)) x <- as.character(x)
  if (length(x) == 1 && !force_array) return(json_atom(x))
  paste0("[", paste(json_atom(unname(x)), collapse = ","), "]")
}
write_json_file <- function(obj, path) {
  txt <- to_json(obj)
  pretty <- as.character(jsonlite::prettify(txt, indent = 2))
  writeLines(pretty, path, useBytes = TRUE)
}
named_list <- function(v) {
  l <- as.list(unname(v))
  names(l) <- names(v)
  l
}

# ---------------------------------------------------------------------------
# Fitting helpers
# ---------------------------------------------------------------------------
strip_theta_names <- function(nm) sub("\\.\\(Intercept\\)$", "", nm)

# Fit one model, capturing warnings and optimizer messages.
fit_capture <- function(fml, dat, REML, weighted, control, start = NULL) {
  warns <- character(0)
  # do.call inlines the data in the stored call, so update(fit, devFunOnly = TRUE)
  # works from any environment.
  args <- list(formula = fml, data = dat, REML = REML, control = control)
  if (weighted) args$weights <- dat$w
  if (!is.null(start)) args$start <- start
  fit <- withCallingHandlers({
    do.call(lmer, args)
  }, warning = function(w) {
    warns <<- c(warns, conditionMessage(w))
    invokeRestart("muffleWarning")
  })
  oi <- fit@optinfo
  msgs <- c(warns, unlist(oi$warnings), unlist(oi$conv$lme4$messages))
  if (!is.null(oi$conv$opt) && oi$conv$opt != 0) msgs <- c(msgs, paste("optimizer code", oi$conv$opt))
  list(fit = fit, messages = unique(msgs))
}

crit <- function(fit) if (isREML(fit)) REMLcrit(fit) else deviance(fit)

# Tightly converged fit: try tight control from the default start and from the
# default-control optimum; keep the lowest criterion among fits without
# convergence warnings (scale warnings are not convergence warnings).
is_conv_msg <- function(m) grepl("converge|failure|maxfun|Hessian|degenerate|optimizer code", m, ignore.case = TRUE)

fit_tight <- function(fml, dat, REML, weighted) {
  f0 <- fit_capture(fml, dat, REML, weighted, lmerControl())
  fa <- fit_capture(fml, dat, REML, weighted, TIGHT)
  fb <- fit_capture(fml, dat, REML, weighted, TIGHT, start = getME(f0$fit, "theta"))
  cands <- list(tight = fa, `tight-from-default` = fb)
  # Boundary candidate: near a boundary the profiled criterion is flat to
  # O(theta^2) (variances are theta^2), so theta values below ~1e-7 cannot be
  # told apart from 0 and the optimiser may stop at e.g. 5e-9. If a component
  # is below lme4's singularity tolerance (1e-4), refit starting with those
  # components set exactly to 0.
  lower <- getME(fa$fit, "lower")
  th_a <- getME(if (crit(fb$fit) < crit(fa$fit)) fb$fit else fa$fit, "theta")
  small <- lower == 0 & th_a < 1e-4
  if (any(small)) {
    st <- th_a; st[small] <- 0
    cands$`tight-from-boundary` <- fit_capture(fml, dat, REML, weighted, TIGHT, start = st)
  }
  ok <- vapply(cands, function(cc) !any(is_conv_msg(cc$messages)), TRUE)
  if (!any(ok)) warning("all tight fits had convergence messages for ", deparse(fml))
  pool <- if (any(ok)) cands[ok] else cands
  crits <- vapply(pool, function(cc) crit(cc$fit), 0)
  best <- names(pool)[which.min(crits)]
  # criterion values carry ~1e-13 relative run-to-run noise in lme4; prefer the
  # boundary solution when it is equal to within 1e-11 relative
  if ("tight-from-boundary" %in% names(pool) &&
      crits[["tight-from-boundary"]] <= min(crits) + 1e-11 * abs(min(crits)))
    best <- "tight-from-boundary"
  chosen <- pool[[best]]
  th <- getME(chosen$fit, "theta")
  th0 <- getME(f0$fit, "theta")
  list(
    fit = chosen$fit,
    info = list(
      control = "lmerControl(optimizer = \"bobyqa\", optCtrl = list(rhobeg = 2e-4, rhoend = 2e-10, maxfun = 1e5))",
      start = switch(best, tight = "default", `tight-from-default` = "theta of default-control fit",
                     `tight-from-boundary` = "best tight theta with components < 1e-4 set to 0"),
      candidates = named_list(crits),
      messages = I(chosen$messages),
      criterionTight = unname(crit(fa$fit)),
      criterionTightFromDefault = unname(crit(fb$fit)),
      criterionDefaultControl = unname(crit(f0$fit)),
      thetaMaxAbsDiffTightVsTightFromDefault = max(abs(getME(fa$fit, "theta") - getME(fb$fit, "theta"))),
      thetaMaxAbsDiffVsDefaultControl = max(abs(th - th0)),
      defaultControlMessages = I(f0$messages),
      feval = chosen$fit@optinfo$feval
    )
  )
}

# Independent dense evaluation of lme4's profiled criterion (used only as a
# check of the devfun values; includes the -sum(log w) term of lme4's lmResp).
dense_criterion <- function(fit, theta, REML) {
  X <- getME(fit, "X"); y <- getME(fit, "y"); Zt <- as.matrix(getME(fit, "Zt"))
  w <- weights(fit); if (is.null(w)) w <- rep(1, length(y))
  n <- length(y); p <- ncol(X)
  Lind <- getME(fit, "Lind")
  lam <- theta[Lind]
  sw <- sqrt(w)
  ZL <- t(Zt * lam) * sw          # W^{1/2} Z Lambda   (n x q)
  Xw <- X * sw; yw <- y * sw
  q <- ncol(ZL)
  A <- crossprod(ZL) + diag(q)
  L <- chol(A)
  ldL2 <- 2 * sum(log(diag(L)))
  M <- rbind(cbind(A, crossprod(ZL, Xw)), cbind(crossprod(Xw, ZL), crossprod(Xw)))
  rhs <- c(crossprod(ZL, yw), crossprod(Xw, yw))
  sol <- solve(M, rhs)
  u <- sol[seq_len(q)]; beta <- sol[q + seq_len(p)]
  r <- yw - Xw %*% beta - ZL %*% u
  pwrss <- sum(r^2) + sum(u^2)
  S <- crossprod(Xw) - crossprod(Xw, ZL) %*% solve(A, crossprod(ZL, Xw))
  ldRX2 <- as.numeric(determinant(S, logarithm = TRUE)$modulus)
  ldW <- sum(log(w))
  if (REML) ldL2 - ldW + ldRX2 + (n - p) * (1 + log(2 * pi * pwrss / (n - p)))
  else ldL2 - ldW + n * (1 + log(2 * pi * pwrss / n))
}

fit_record <- function(tf, dat_name, theta_rand, rng_note) {
  fit <- tf$fit
  REML <- isREML(fit)
  th <- getME(fit, "theta")
  th_names <- strip_theta_names(names(th))
  names(th) <- th_names
  vc <- as.data.frame(VarCorr(fit))
  beta <- fixef(fit)
  V <- as.matrix(vcov(fit))
  ll <- logLik(fit)
  devfun <- update(fit, devFunOnly = TRUE)
  k <- length(th)
  thetas <- list(
    unname(th),
    rep(1, k),
    theta_rand,
    if (k == 1) 0 else c(0, theta_rand[-1])
  )
  crit_at <- lapply(thetas, function(t) {
    v <- devfun(t)
    vd <- dense_criterion(fit, t, REML)
    if (abs(v - vd) > 1e-7 * max(1, abs(v)))
      stop(sprintf("dense criterion check failed for %s: %.12g vs %.12g", dat_name, v, vd))
    list(theta = named_list(setNames(t, th_names)), value = as.numeric(v))
  })
  re <- ranef(fit)
  ranef_out <- lapply(names(re), function(g) {
    vals <- re[[g]][, "(Intercept)"]
    lv <- rownames(re[[g]])
    if (length(vals) > 40) { vals <- vals[1:20]; lv <- lv[1:20] }
    named_list(setNames(vals, as.character(lv)))
  })
  names(ranef_out) <- names(re)
  fitted_v <- unname(fitted(fit)); resid_v <- unname(residuals(fit))
  list(
    thetaOrder = I(th_names),
    theta = named_list(th),
    sigma = sigma(fit),
    varcorr = lapply(seq_len(nrow(vc)), function(i) list(group = vc$grp[i], variance = vc$vcov[i], sd = vc$sdcor[i])),
    beta = named_list(beta),
    se = named_list(setNames(sqrt(diag(V)), names(beta))),
    vcov = unname(V),
    betaNames = I(names(beta)),
    REMLcrit = if (REML) REMLcrit(fit) else NULL,
    deviance = if (REML) NULL else deviance(fit),
    logLik = as.numeric(ll),
    AIC = AIC(fit),
    BIC = BIC(fit),
    df = as.integer(attr(ll, "df")),
    nobs = nobs(fit),
    ngroups = named_list(as.list(ngrps(fit))),
    isSingular = isSingular(fit),
    criterionAt = crit_at,
    criterionAtNote = paste("thetas: optimum, all ones, runif(0.1, 3)", rng_note,
                            "and", if (k == 1) "0" else "c(0, <that random vector>[-1])"),
    ranef = ranef_out,
    fittedHead = I(fitted_v[seq_len(min(10, length(fitted_v)))]),
    residualsHead = I(resid_v[seq_len(min(10, length(resid_v)))]),
    fitInfo = tf$info
  )
}

# ---------------------------------------------------------------------------
# Variance decomposition
# ---------------------------------------------------------------------------
decomposition <- function(fit, fml, weighted) {
  mf <- model.frame(fit)
  y <- model.response(mf)
  X <- model.matrix(fit)
  xb <- as.vector(X %*% fixef(fit))
  var_fixed <- var(xb)
  vc <- as.data.frame(VarCorr(fit))
  rand <- vc[vc$grp != "Residual", ]
  var_random <- setNames(rand$vcov, rand$grp)
  var_resid <- sigma(fit)^2

  # tolerance = 0: compute the random-effect variances even for singular fits
  iv <- suppressWarnings(insight::get_variance(fit, tolerance = 0))
  if (abs(iv$var.fixed - var_fixed) > 1e-8 * max(1, var_fixed))
    stop("insight var.fixed disagrees: ", iv$var.fixed, " vs ", var_fixed)

  bars <- findbars(fml)
  groups_re <- vapply(bars, function(b) paste(deparse(b[[3]]), collapse = ""), "")
  cov_terms <- attr(terms(nobars(fml)), "term.labels")
  groups <- c(if (length(cov_terms)) "fixed", groups_re)

  total <- var_fixed + sum(var_random) + var_resid
  shares <- c(list(fixed = var_fixed / total),
              named_list(var_random[groups_re] / total),
              list(residual = var_resid / total))

  # performance's default tolerance (1e-5) refuses singular fits (returns NA /
  # an R2 without random effects); tolerance = 0 forces the computation.
  r2n <- performance::r2_nakagawa(fit, tolerance = 0)
  r2n_warn <- character(0)
  r2d <- NULL
  invisible(capture.output(r2d <- withCallingHandlers(suppressMessages(performance::r2_nakagawa(fit)),
                             warning = function(w) { r2n_warn <<- c(r2n_warn, conditionMessage(w)); invokeRestart("muffleWarning") })))
  own_marg <- var_fixed / total
  own_cond <- (var_fixed + sum(var_random)) / total
  if (abs(r2n$R2_marginal - own_marg) > 1e-8 || abs(r2n$R2_conditional - own_cond) > 1e-8)
    stop("r2_nakagawa disagrees with the component formula")

  # --- R^2 of lm for all subsets of term groups -------------------------------
  flist <- getME(fit, "flist")
  lmdat <- data.frame(.y = y)
  for (t in cov_terms) lmdat[[t]] <- mf[[t]]
  gcols <- setNames(paste0(".g", seq_along(groups_re)), groups_re)
  for (g in groups_re) lmdat[[gcols[[g]]]] <- droplevels(factor(flist[[g]]))
  w <- if (weighted) mf[["(weights)"]] else NULL
  lmdat$.w <- if (weighted) w else rep(1, nrow(lmdat))
  group_terms <- function(g) if (g == "fixed") paste0("`", cov_terms, "`") else gcols[[g]]
  r2_of <- function(term_vec) {
    if (!length(term_vec)) return(0)
    f <- as.formula(paste(".y ~", paste(term_vec, collapse = " + ")))
    m <- if (weighted) lm(f, data = lmdat, weights = .w) else lm(f, data = lmdat)
    summary(m)$r.squared
  }
  k <- length(groups)
  subsets <- list()
  subset_r2 <- list()
  for (mask in 0:(2^k - 1)) {
    sel <- groups[bitwAnd(mask, 2^(0:(k - 1))) > 0]
    key <- paste(sel, collapse = "+")
    subset_r2[[length(subset_r2) + 1]] <- r2_of(unlist(lapply(sel, group_terms)))
    names(subset_r2)[length(subset_r2)] <- key
  }
  names(subset_r2)[1] <- ""
  # (look up by position: x[[""]] never matches a "" name in R)
  get_r2 <- function(sel) subset_r2[[match(paste(groups[groups %in% sel], collapse = "+"), names(subset_r2))]]
  full <- get_r2(groups)

  incr <- list(); prev <- 0
  for (i in seq_len(k)) { cur <- get_r2(groups[1:i]); incr[[groups[i]]] <- cur - prev; prev <- cur }

  shap <- list()
  for (g in groups) {
    others <- setdiff(groups, g)
    val <- 0
    for (mask in 0:(2^(k - 1) - 1)) {
      S <- others[bitwAnd(mask, 2^(0:(k - 2))) > 0]
      if (k == 1) S <- character(0)
      s <- length(S)
      wgt <- factorial(s) * factorial(k - s - 1) / factorial(k)
      val <- val + wgt * (get_r2(c(S, g)) - get_r2(S))
      if (k == 1) break
    }
    shap[[g]] <- val
  }

  out <- list(
    components = list(
      varFixed = var_fixed,
      varRandom = named_list(var_random[groups_re]),
      varResidual = var_resid,
      shares = shares,
      r2Marginal = unname(r2n$R2_marginal),
      r2Conditional = unname(r2n$R2_conditional),
      r2MarginalFromComponents = own_marg,
      r2ConditionalFromComponents = own_cond,
      r2NakagawaDefaultTolerance = list(
        r2Marginal = unname(r2d$R2_marginal),
        r2Conditional = unname(r2d$R2_conditional),
        warnings = I(unique(r2n_warn))
      ),
      insight = list(
        varFixed = iv$var.fixed,
        varRandom = iv$var.random,
        varResidual = iv$var.residual,
        varIntercept = named_list(iv$var.intercept)
      )
    ),
    groups = I(groups),
    subsetR2 = subset_r2,
    sequential = list(order = I(groups), increments = incr, residual = 1 - full),
    shapley = list(values = shap, residual = 1 - full)
  )
  if (length(cov_terms) > 1) {
    cs <- list(); prev <- 0
    for (i in seq_along(cov_terms)) {
      cur <- r2_of(paste0("`", cov_terms[1:i], "`"))
      cs[[cov_terms[i]]] <- cur - prev; prev <- cur
    }
    out$covariatesSequential <- cs
  }
  out$notes <- paste0(
    "Computed on the complete-case rows from the REML fit. varFixed = var(X %*% beta) (n-1 denominator); ",
    "varRandom = VarCorr variances; varResidual = sigma^2. r2Marginal/r2Conditional from performance::r2_nakagawa",
    " with tolerance = 0 (equal to the component formula; r2NakagawaDefaultTolerance shows the default-tolerance output). subsetR2 = summary(lm)$r.squared with covariates",
    " and factor() dummies of the lme4 grouping factors (getME(fit, 'flist'))",
    if (weighted) "; WEIGHTED: the subset/sequential/Shapley R2 use lm(..., weights = w) (weighted R2), while the components are the unweighted var(X beta), the VarCorr variances and sigma^2 (residual variance at weight 1)." else ".")
  out
}

# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------
make_fixture <- function(name, data, formula_str, weighted = FALSE, theta_seed = 1000) {
  csv_path <- file.path(out_dir, paste0(name, ".csv"))
  write.csv(data, csv_path, row.names = FALSE, na = "")
  dat <- read.csv(csv_path, stringsAsFactors = FALSE)
  fml <- as.formula(formula_str)
  vars <- all.vars(fml)
  if (weighted) vars <- c(vars, "w")
  cc <- complete.cases(dat[, vars, drop = FALSE])

  fr <- fit_tight(fml, dat, REML = TRUE, weighted = weighted)
  fm <- fit_tight(fml, dat, REML = FALSE, weighted = weighted)
  k <- length(getME(fr$fit, "theta"))
  set.seed(theta_seed)
  theta_rand <- runif(k, 0.1, 3)
  rng_note <- sprintf("(set.seed(%d); runif(%d, 0.1, 3))", theta_seed, k)

  obj <- list(
    name = name,
    formula = formula_str,
    data = paste0(name, ".csv"),
    weights = if (weighted) "w" else NULL,
    versions = versions,
    nrowData = nrow(dat),
    nobs = nobs(fr$fit),
    nDropped = sum(!cc),
    reml = fit_record(fr, name, theta_rand, rng_note),
    ml = fit_record(fm, name, theta_rand, rng_note),
    decomposition = decomposition(fr$fit, fml, weighted)
  )
  stopifnot(obj$nobs == sum(cc))
  write_json_file(obj, file.path(out_dir, paste0(name, ".json")))
  cat(sprintf("%-18s n=%4d nobs=%4d  REML theta = %s  singular=%s | ML theta = %s singular=%s\n",
              name, nrow(dat), obj$nobs,
              paste(sprintf("%s=%.6g", names(obj$reml$theta), unlist(obj$reml$theta)), collapse = ", "),
              obj$reml$isSingular,
              paste(sprintf("%.6g", unlist(obj$ml$theta)), collapse = ", "), obj$ml$isSingular))
  invisible(obj)
}

la_codes <- function(n) sprintf("LA%03d", seq_len(n))

# 1. Dyestuff -----------------------------------------------------------------
make_fixture("dyestuff", lme4::Dyestuff, "Yield ~ 1 + (1 | Batch)")

# 2. Penicillin ---------------------------------------------------------------
make_fixture("penicillin", lme4::Penicillin, "diameter ~ 1 + (1 | plate) + (1 | sample)")

# 3. Pastes (nested) ----------------------------------------------------------
make_fixture("pastes", lme4::Pastes, "strength ~ 1 + (1 | batch/cask)")

# 4. panel-covariate ----------------------------------------------------------
local({
  set.seed(20240401)
  nU <- 150; years <- 2011:2018
  d <- expand.grid(year = years, la = la_codes(nU), stringsAsFactors = FALSE)[, c("la", "year")]
  u <- rnorm(nU, 0, 6); v <- rnorm(length(years), 0, 2)
  imd <- round(runif(nU, 5, 45), 2)
  ui <- match(d$la, la_codes(nU)); yi <- match(d$year, years)
  d$imd <- imd[ui]
  d$x2 <- round(rnorm(nrow(d), 0, 1), 3)
  d$y <- round(50 + 0.4 * (d$imd - 25) + 1.5 * d$x2 + u[ui] + v[yi] + rnorm(nrow(d), 0, 4), 4)
  make_fixture("panel-covariate", d, "y ~ imd + x2 + (1 | la) + (1 | year)")
})

# 5. panel-unbalanced ---------------------------------------------------------
local({
  set.seed(20240402)
  nU <- 100; years <- 2011:2018
  d <- expand.grid(year = years, la = la_codes(nU), stringsAsFactors = FALSE)[, c("la", "year")]
  u <- rnorm(nU, 0, 6); v <- rnorm(length(years), 0, 2)
  imd <- round(runif(nU, 5, 45), 2)
  ui <- match(d$la, la_codes(nU)); yi <- match(d$year, years)
  d$imd <- imd[ui]
  d$y <- round(50 + 0.4 * (d$imd - 25) + u[ui] + v[yi] + rnorm(nrow(d), 0, 4), 4)
  keep <- rep(TRUE, nrow(d))
  # units 5, 17, 33, 61, 88 keep only one row; units 9, 24, 50, 72, 95 keep two
  for (j in c(5, 17, 33, 61, 88)) { r <- which(ui == j); keep[r] <- FALSE; keep[sample(r, 1)] <- TRUE }
  for (j in c(9, 24, 50, 72, 95)) { r <- which(ui == j); keep[r] <- FALSE; keep[sample(r, 2)] <- TRUE }
  # then remove further rows at random to ~15% overall
  target <- round(0.15 * nrow(d)) - sum(!keep)
  cand <- which(keep & !(ui %in% c(5, 17, 33, 61, 88, 9, 24, 50, 72, 95)))
  keep[sample(cand, target)] <- FALSE
  d <- d[keep, ]
  rownames(d) <- NULL
  d$y[sample(nrow(d), 9)] <- NA
  d$imd[sample(nrow(d), 7)] <- NA
  make_fixture("panel-unbalanced", d, "y ~ imd + (1 | la) + (1 | year)")
})

# 6. panel-singular -----------------------------------------------------------
# No year effect at all; seed chosen so that both REML and ML estimate the
# year variance as exactly 0 (checked below).
local({
  set.seed(7)
  nU <- 60; years <- 2011:2016
  d <- expand.grid(year = years, la = la_codes(nU), stringsAsFactors = FALSE)[, c("la", "year")]
  ui <- match(d$la, la_codes(nU))
  u <- rnorm(nU, 0, 3)
  d$x <- round(rnorm(nrow(d), 10, 2), 3)
  d$y <- round(20 + 0.8 * d$x + u[ui] + rnorm(nrow(d), 0, 2), 4)
  obj <- make_fixture("panel-singular", d, "y ~ x + (1 | la) + (1 | year)")
  if (!(obj$reml$isSingular && obj$ml$isSingular && obj$reml$theta$year == 0 && obj$ml$theta$year == 0))
    stop("panel-singular: fits are not singular with year theta exactly 0; change the seed")
})

# 7. panel-weights ------------------------------------------------------------
local({
  set.seed(20240404)
  nU <- 80; years <- 2011:2016
  d <- expand.grid(year = years, la = la_codes(nU), stringsAsFactors = FALSE)[, c("la", "year")]
  ui <- match(d$la, la_codes(nU)); yi <- match(d$year, years)
  u <- rnorm(nU, 0, 5); v <- rnorm(length(years), 0, 2)
  pop <- exp(runif(nU, log(600), log(4500)))            # child population per unit
  d$w <- round(pmin(5, pmax(0.5, pop[ui] * exp(rnorm(nrow(d), 0, 0.05)) / 1000)), 3)
  d$x <- round(rnorm(nrow(d), 0, 1), 3)
  d$y <- round(30 + 2 * d$x + u[ui] + v[yi] + rnorm(nrow(d), 0, 3) / sqrt(d$w), 4)
  make_fixture("panel-weights", d, "y ~ x + (1 | la) + (1 | year)", weighted = TRUE)
})

# 8. panel-nested -------------------------------------------------------------
local({
  set.seed(20240405)
  nR <- 12; per <- 6; years <- 2011:2016
  regions <- sprintf("R%02d", seq_len(nR))
  las <- data.frame(la = la_codes(nR * per), region = rep(regions, each = per), stringsAsFactors = FALSE)
  d <- merge(las, data.frame(year = years), by = NULL)
  d <- d[order(d$la, d$year), c("region", "la", "year")]
  rownames(d) <- NULL
  ri <- match(d$region, regions); ui <- match(d$la, las$la); yi <- match(d$year, years)
  rr <- rnorm(nR, 0, 4); u <- rnorm(nrow(las), 0, 3); v <- rnorm(length(years), 0, 1.5)
  d$x <- round(rnorm(nrow(d), 5, 2), 3)
  d$y <- round(40 - 1.2 * d$x + rr[ri] + u[ui] + v[yi] + rnorm(nrow(d), 0, 2.5), 4)
  make_fixture("panel-nested", d, "y ~ x + (1 | region/la) + (1 | year)")
})

# 9. panel-categorical --------------------------------------------------------
local({
  set.seed(20240406)
  nU <- 120; years <- 2011:2016
  rn <- c("East Midlands", "London", "North East", "North West", "South East")
  d <- expand.grid(year = years, la = la_codes(nU), stringsAsFactors = FALSE)[, c("la", "year")]
  ui <- match(d$la, la_codes(nU)); yi <- match(d$year, years)
  ureg <- sample(rn, nU, replace = TRUE)
  eff <- c(`East Midlands` = 0, London = 8, `North East` = -4, `North West` = -2, `South East` = 3)
  d$region_name <- ureg[ui]
  d$x <- round(rnorm(nrow(d), 0, 1.5), 3)
  u <- rnorm(nU, 0, 5); v <- rnorm(length(years), 0, 2)
  d$y <- round(60 + 1.1 * d$x + eff[d$region_name] + u[ui] + v[yi] + rnorm(nrow(d), 0, 3.5), 4)
  make_fixture("panel-categorical", d, "y ~ x + region_name + (1 | la) + (1 | year)")
})

# 10. large-offset ------------------------------------------------------------
local({
  set.seed(20240407)
  nU <- 50; years <- 2011:2016
  d <- expand.grid(year = years, la = la_codes(nU), stringsAsFactors = FALSE)[, c("la", "year")]
  ui <- match(d$la, la_codes(nU)); yi <- match(d$year, years)
  u <- rnorm(nU, 0, 1); v <- rnorm(length(years), 0, 0.5)
  d$x <- round(1000 + rnorm(nrow(d), 0, 0.5), 4)
  d$y <- round(1e6 + 2 * (d$x - 1000) + u[ui] + v[yi] + rnorm(nrow(d), 0, 1), 4)
  make_fixture("large-offset", d, "y ~ x + (1 | la) + (1 | year)")
})

# 11. england-cpp: the real England panel, 2013-2018 (the NAO-style model) ----------
# Source: data/england-la-childrens-social-care.csv (Open Government Licence v3.0).
local({
  e <- read.csv("data/england-la-childrens-social-care.csv", stringsAsFactors = FALSE)
  e <- e[e$year >= 2013 & e$year <= 2018, c("la_code", "region_name", "year", "cpp_start_rate", "imd2019_avg_score")]
  make_fixture("england-cpp", e, "cpp_start_rate ~ imd2019_avg_score + (1 | la_code) + (1 | year)")
  make_fixture("england-cpp-region", e,
               "cpp_start_rate ~ imd2019_avg_score + (1 | la_code) + (1 | region_name) + (1 | year)")
})

cat("done\n")
