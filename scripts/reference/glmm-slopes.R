# Reference fixtures for random slopes in generalised linear mixed models (lme4::glmer, Laplace,
# nAGQ = 1), and for a text-coded binomial response.
#
# Run from the repository root:  Rscript scripts/reference/glmm-slopes.R [name ...]
# (with names, only those fixtures are made: england-poisson-slope, england-poisson-slope-uncorr,
# binomial-slope, binomial-text, verbagg-slope).
# Writes test/fixtures/glmm/<name>.csv (the data, read back before fitting) and <name>.json.
#
# Fits: glmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 2e-4, rhoend = 2e-10, maxfun = 1e5)),
# then polished by Nelder-Mead on glmer's own devFunOnly function (tight PIRLS), kept only when it
# lowers that function (bobyqa can stop short of the minimum; see scripts/reference/glmm.R). theta
# is searched unconstrained and rectified (a lambda column with a negative diagonal flips sign:
# Lambda Lambda' is unchanged). The covariance of beta is lme4's: the beta block of 2 H^-1, H the
# Hessian of devfun in (theta, beta) (lme4:::deriv12).
#
# Latent-scale parts are computed here from the definition, NOT with insight/performance: insight
# drops a random slope whose variable is not a fixed effect and ignores the offset. Each grouping
# factor's random part is Johnson's Tr(Z Sigma Z') / n over the model rows (summed over the
# factor's terms); the Poisson lambda is mean_i exp(b0_null + offset_i + sigma2_null / 2) with
# sigma2_null the null model's Johnson total (the null model keeps the random terms and the offset,
# with an intercept only).
source("scripts/reference/setup.R")
source("scripts/reference/glmer-polish.R")
dir.create("test/fixtures/glmm", showWarnings = FALSE, recursive = TRUE)

versions <- reference_versions()
tight <- TIGHT_GLMER

# Rectify theta: for each term (column-major lower triangle of lambda), flip every column whose
# diagonal is negative.
rectifier <- function(cnms) {
  function(th) {
    k <- 0
    for (cols in cnms) {
      S <- length(cols)
      for (c in seq_len(S)) {
        len <- S - c + 1
        idx <- k + seq_len(len)
        if (th[idx[1]] < 0) th[idx] <- -th[idx]
        k <- k + len
      }
    }
    th
  }
}

# Sigma of each term (scale 1) from theta, in getME(m, "cnms") order.
sigmas <- function(theta, cnms) {
  k <- 0
  out <- list()
  for (cols in cnms) {
    S <- length(cols)
    L <- matrix(0, S, S)
    for (c in seq_len(S)) for (r in c:S) { k <- k + 1; L[r, c] <- theta[k] }
    out[[length(out) + 1]] <- L %*% t(L)
  }
  out
}

# Johnson's variance per grouping factor (names = factor names) at theta: Tr(Z Sigma Z') / n.
johnson <- function(m, theta, data) {
  cnms <- getME(m, "cnms")
  S <- sigmas(theta, cnms)
  n <- nrow(model.frame(m))
  mf <- model.frame(m)
  out <- list()
  for (k in seq_along(cnms)) {
    cols <- cnms[[k]]
    Zc <- matrix(sapply(cols, function(cn) if (cn == "(Intercept)") rep(1, n) else mf[[cn]]), nrow = n)
    v <- sum(S[[k]] * (crossprod(Zc) / n))
    g <- names(cnms)[k]
    out[[g]] <- (if (is.null(out[[g]])) 0 else out[[g]]) + v
  }
  out
}

latent <- function(m, opt, null_formula, data, family, offset_col) {
  X <- getME(m, "X")
  vf <- var(as.vector(X %*% opt$beta))
  rand <- johnson(m, opt$theta, data)
  out <- list(varFixed = vf, random = rand)
  if (family == "binomial") {
    out$distribution <- list(lognormal = pi^2 / 3, delta = pi^2 / 3, trigamma = pi^2 / 3)
  } else {
    m0 <- glmer(null_formula, data = data, family = poisson, control = tight)
    devf0 <- glmer(null_formula, data = data, family = poisson, devFunOnly = TRUE,
                   control = glmerControl(optimizer = "bobyqa", tolPwrss = 1e-12, optCtrl = list(rhoend = 2e-10, maxfun = 1e5)))
    o0 <- polish(devf0, getME(m0, "theta"), fixef(m0), rectifier(getME(m0, "cnms")), maxit = 40000)
    s2null <- sum(unlist(johnson(m0, o0$theta, data)))
    b0 <- o0$beta[1]
    off <- if (is.null(offset_col)) 0 else log(data[[offset_col]])
    lambda <- mean(exp(b0 + off + s2null / 2))
    out$null <- list(intercept = b0, theta = o0$theta, sigma2 = s2null, lambda = lambda, deviance = o0$deviance)
    out$distribution <- list(lognormal = log1p(1 / lambda), delta = 1 / lambda, trigamma = trigamma(lambda))
  }
  shares <- list()
  for (approx in c("lognormal", "delta", "trigamma")) {
    dv <- out$distribution[[approx]]
    total <- vf + sum(unlist(rand)) + dv
    s <- list(fixed = vf / total)
    for (g in names(rand)) s[[g]] <- rand[[g]] / total
    s$residual <- dv / total
    s$total <- total
    shares[[approx]] <- s
  }
  out$shares <- shares
  out
}

make_fixture <- function(name, data, formula, family, null_formula = NULL, offset_col = NULL,
                         note = "", read = function(csv) read.csv(csv, stringsAsFactors = FALSE),
                         prepare = identity, csv_name = name) {
  csv <- file.path("test/fixtures/glmm", paste0(csv_name, ".csv"))
  write.csv(data, csv, row.names = FALSE)
  d <- prepare(read(csv))
  fam <- if (family == "poisson") poisson else binomial
  t0 <- proc.time()[["elapsed"]]
  m <- glmer(formula, data = d, family = fam, control = tight)
  elapsed <- proc.time()[["elapsed"]] - t0
  devTol <- NA
  for (tol in c(1e-13, 1e-12, 1e-11, 1e-10)) {
    devf <- tryCatch(glmer(formula, data = d, family = fam, devFunOnly = TRUE,
                           control = glmerControl(optimizer = "bobyqa", tolPwrss = tol, optCtrl = list(rhoend = 2e-10, maxfun = 1e5))),
                     error = function(e) NULL)
    if (!is.null(devf)) { devTol <- tol; break }
  }
  cnms <- getME(m, "cnms")
  rect <- rectifier(cnms)
  th <- getME(m, "theta")
  be <- fixef(m)
  lower <- getME(m, "lower")
  pert <- ifelse(lower == 0, th * 1.3 + 0.05, th + 0.1)
  at <- list(c(th, be), c(pert, be + 0.03 * seq_along(be)), c(th * 0.6, be - 0.02))
  devAt <- list()
  for (p in at) {
    v <- tryCatch({ devf(p); devf(p) }, error = function(e) NA_real_)
    if (is.na(v)) { cat("  skipped devfun point\n"); next }
    devAt[[length(devAt) + 1]] <- list(theta = num(p[seq_along(th)]), beta = num(p[-seq_along(th)]), value = v)
  }
  opt <- polish(devf, th, be, rect, maxit = 40000)
  vc <- as.data.frame(VarCorr(m))
  re <- ranef(m, condVar = FALSE)
  # At the polished optimum: VarCorr from theta (scale 1).
  Sg <- sigmas(opt$theta, cnms)
  vcOpt <- list()
  for (k in seq_along(cnms)) {
    cols <- cnms[[k]]
    for (a in seq_along(cols)) {
      vcOpt[[length(vcOpt) + 1]] <- list(group = names(cnms)[k], name = cols[a], variance = Sg[[k]][a, a])
      if (a > 1) for (b in seq_len(a - 1)) {
        den <- sqrt(Sg[[k]][a, a] * Sg[[k]][b, b])
        vcOpt[[length(vcOpt) + 1]] <- list(group = names(cnms)[k], names = c(cols[b], cols[a]),
                                           correlation = if (den > 0) Sg[[k]][a, b] / den else NA)
      }
    }
  }
  lat <- latent(m, opt, null_formula %||% formula, d, family, offset_col)
  res <- list(
    name = name,
    formula = paste(deparse(formula, width.cutoff = 500), collapse = ""),
    family = family,
    data = basename(csv),
    offset = offset_col,
    versions = versions,
    control = paste0("glmerControl(optimizer = 'bobyqa', optCtrl = list(rhobeg = 2e-4, rhoend = 2e-10, maxfun = 1e5)); devFunOnly with tolPwrss = ", devTol),
    note = note,
    nobs = nobs(m),
    ngroups = as.list(getME(m, "l_i")),
    thetaNames = names(th),
    theta = num(th),
    betaNames = names(be),
    beta = as.list(be),
    se = as.list(sqrt(diag(as.matrix(vcov(m))))),
    varcorr = lapply(seq_len(nrow(vc)), function(i) list(
      grp = vc$grp[i], var1 = if (is.na(vc$var1[i])) NULL else vc$var1[i],
      var2 = if (is.na(vc$var2[i])) NULL else vc$var2[i], vcov = vc$vcov[i], sdcor = vc$sdcor[i])),
    logLik = as.numeric(logLik(m)),
    df = attr(logLik(m), "df"),
    AIC = AIC(m),
    BIC = BIC(m),
    isSingular = isSingular(m),
    devfunAtOptimum = devf(c(th, be)),
    laplaceAt = devAt,
    ranef = lapply(re, function(d) list(levels = rownames(d), columns = lapply(as.list(d), num))),
    fittedResponse = num(fitted(m)),
    optimum = opt,
    optimumVarcorr = vcOpt,
    latent = lat,
    glmerSeconds = elapsed
  )
  writeLines(toJSON(res, auto_unbox = TRUE, digits = I(17), null = "null", na = "null", pretty = TRUE),
             file.path("test/fixtures/glmm", paste0(name, ".json")))
  cat(sprintf("%-28s logLik %.6f theta %s (%.2fs); polished deviance lower by %.3g; singular %s\n", name, res$logLik,
              paste(signif(opt$theta, 6), collapse = " "), elapsed, opt$improvement, res$isSingular))
}
`%||%` <- function(a, b) if (is.null(a)) b else a
only <- commandArgs(trailingOnly = TRUE)
want <- function(name) length(only) == 0 || name %in% only

# 1-2. England, Poisson counts with the log child population as offset, a slope on the time trend.
e <- read.csv("data/england-la-childrens-social-care.csv", stringsAsFactors = FALSE)
e <- e[e$year >= 2013 & e$year <= 2018, c("la_code", "year", "cpp_start_n", "child_pop_0_17_dfe", "imd2019_avg_score")]
e <- e[complete.cases(e), ]
e$t <- e$year - 2015.5
if (want("england-poisson-slope")) make_fixture("england-poisson-slope", e,
             cpp_start_n ~ imd2019_avg_score + t + offset(log(child_pop_0_17_dfe)) + (1 + t | la_code) + (1 | year), "poisson",
             null_formula = cpp_start_n ~ 1 + offset(log(child_pop_0_17_dfe)) + (1 + t | la_code) + (1 | year),
             offset_col = "child_pop_0_17_dfe",
             note = "England 2013-2018, complete rows; t = year - 2015.5; offset log(child_pop_0_17_dfe)")
if (want("england-poisson-slope-uncorr")) make_fixture("england-poisson-slope-uncorr", e,
             cpp_start_n ~ imd2019_avg_score + t + offset(log(child_pop_0_17_dfe)) + (t || la_code) + (1 | year), "poisson",
             null_formula = cpp_start_n ~ 1 + offset(log(child_pop_0_17_dfe)) + (t || la_code) + (1 | year),
             offset_col = "child_pop_0_17_dfe",
             note = "England 2013-2018, complete rows; t = year - 2015.5; (t || la_code) is (1 | la_code) + (0 + t | la_code)")

# 3. Simulated binomial (cbind) with a correlated random slope: 40 groups x 15 rows, 8 trials.
set.seed(20261130)
G <- 40; per <- 15
g <- rep(sprintf("g%02d", seq_len(G)), each = per)
x <- round(rnorm(G * per), 4)
b <- MASS::mvrnorm(G, c(0, 0), matrix(c(0.64, 0.3 * 0.8 * 0.5, 0.3 * 0.8 * 0.5, 0.25), 2))
eta <- -0.3 + 0.7 * x + b[match(g, sprintf("g%02d", seq_len(G))), 1] + b[match(g, sprintf("g%02d", seq_len(G))), 2] * x
n <- rep(8L, G * per)
s <- rbinom(G * per, n, plogis(eta))
if (want("binomial-slope")) make_fixture("binomial-slope", data.frame(g = g, x = x, s = s, n = n),
             cbind(s, n - s) ~ x + (1 + x | g), "binomial",
             note = "simulated (seed 20261130): 40 groups x 15 rows, 8 trials, intercept sd 0.8, slope sd 0.5, correlation 0.3")

# 4. A text-coded binary response ("N" / "Y"): glmer takes a factor, whose first level (sorted:
# "N") is failure. The CSV holds the strings; R reads them as a factor.
set.seed(7)
G <- 30; per <- 12
g <- rep(sprintf("c%02d", seq_len(G)), each = per)
x <- round(runif(G * per, -1, 1), 4)
u <- rnorm(G, sd = 0.9)[match(g, sprintf("c%02d", seq_len(G)))]
yes <- runif(G * per) < plogis(0.2 + 1.1 * x + u)
if (want("binomial-text")) make_fixture("binomial-text", data.frame(g = g, x = x, answer = ifelse(yes, "Y", "N")),
             answer ~ x + (1 | g), "binomial",
             prepare = function(d) { d$answer <- factor(d$answer); d },
             note = "simulated (seed 7): 30 groups x 12 rows; answer \"N\"/\"Y\" read as a factor (levels N, Y: N is failure)")

# 5. VerbAgg with a random slope of Anger by item (7,584 rows; 316 x 24 crossed, binary).
if (want("verbagg-slope")) {
  va <- lme4::VerbAgg
  va <- data.frame(id = paste0("S", as.character(va$id)), item = as.character(va$item), r2 = as.integer(va$r2 == "Y"),
                   Anger = va$Anger, Gender = as.character(va$Gender), btype = as.character(va$btype),
                   situ = as.character(va$situ), stringsAsFactors = FALSE)
  make_fixture("verbagg-slope", va, r2 ~ Anger + Gender + btype + situ + (1 | id) + (1 + Anger | item), "binomial",
               csv_name = "verbagg",
               note = "lme4::VerbAgg, r2 coded 1 for Y; id written as S1..; a random slope of Anger by item (the data of verbagg.csv, written by glmm.R)")
}
