#!/usr/bin/env Rscript
# Reference fixtures for random slopes (vector-valued random-effects terms).
#
# Run from the repository root:
#   Rscript scripts/reference/slopes.R
#
# Writes test/fixtures/slopes-NAME.csv (the data, read back before fitting) and
# test/fixtures/slopes-NAME.json: per model the tightly converged lme4 fit (theta in
# getME(m, "theta") order with lme4's names, criterion, beta, se, VarCorr rows,
# correlations, conditional modes), the criterion at fixed theta (lme4's devfun),
# and Johnson's per-factor variance Tr(Z_g Sigma_g Z_g')/n over the model rows with
# its intercept / slope / covariance parts, computed here from the definition
# (insight drops a random slope whose variable is not a fixed effect, so it is not
# used as the reference). For the sequential / Shapley checks, R's lm() R^2 of
# y on factor(g) + factor(g):x (and with the fixed effects) is written too.

source("scripts/reference/setup.R")

versions <- reference_versions()

# Johnson's variance of each grouping factor: sum over the factor's terms of
# Tr(Z_t Sigma_t Z_t') / n, and its parts by the (s, t) entries of Sigma.
johnson <- function(m) {
  vc <- VarCorr(m)
  mf <- model.frame(m)
  n <- nrow(mf)
  out <- list()
  for (k in seq_along(vc)) {
    S <- vc[[k]]
    cols <- colnames(S)
    grp <- names(vc)[k]
    # Z columns of the term: 1 for (Intercept), the variable otherwise
    Zc <- sapply(cols, function(cn) if (cn == "(Intercept)") rep(1, n) else mf[[cn]])
    Zc <- matrix(Zc, nrow = n)
    Mom <- crossprod(Zc) / n
    total <- sum(S * Mom)
    parts <- list()
    for (a in seq_along(cols)) for (b in seq_len(a)) {
      v <- if (a == b) S[a, a] * Mom[a, a] else 2 * S[a, b] * Mom[a, b]
      parts[[length(parts) + 1]] <- list(names = c(cols[b], cols[a]), value = v)
    }
    out[[length(out) + 1]] <- list(group = sub("\\.[0-9]+$", "", grp), term = grp,
                                   columns = I(cols), total = total, parts = parts)
  }
  out
}

fit_record <- function(m, thetas_at, data) {
  th <- getME(m, "theta")
  vc <- as.data.frame(VarCorr(m))
  re <- ranef(m, condVar = FALSE)
  dev <- lmer(formula(m), data = data, REML = isREML(m), devFunOnly = TRUE)
  list(
    reml = isREML(m),
    theta = as.list(th),
    thetaNames = I(names(th)),
    criterion = num(if (isREML(m)) REMLcrit(m) else deviance(m, REML = FALSE)),
    beta = as.list(fixef(m)),
    se = as.list(sqrt(diag(as.matrix(vcov(m))))),
    sigma = sigma(m),
    varcorr = lapply(seq_len(nrow(vc)), function(i) list(
      grp = vc$grp[i], var1 = if (is.na(vc$var1[i])) NULL else vc$var1[i],
      var2 = if (is.na(vc$var2[i])) NULL else vc$var2[i],
      vcov = vc$vcov[i], sdcor = vc$sdcor[i])),
    isSingular = isSingular(m),
    ranef = lapply(re, function(d) list(levels = rownames(d),
                                        columns = lapply(as.list(d), num))),
    johnson = johnson(m),
    devfun = lapply(thetas_at, function(t) list(theta = I(num(t)), value = num(dev(t))))
  )
}

tight_fit <- function(formula, data, reml) {
  lmer(formula, data = data, REML = reml, control = TIGHT)
}

write_fixture <- function(name, data, models, extra = list()) {
  csv <- file.path(out_dir, paste0("slopes-", name, ".csv"))
  write.csv(data, csv, row.names = FALSE, na = "")
  list(csv = csv, write = function(obj) {
    obj$versions <- versions
    writeLines(toJSON(obj, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE),
               file.path(out_dir, paste0("slopes-", name, ".json")))
  })
}

lm_r2 <- function(formula, data) summary(lm(formula, data = data))$r.squared

# ---------------------------------------------------------------------------
# sleepstudy
ss <- as.data.frame(sleepstudy)
ss$Subject <- as.character(ss$Subject)
w <- write_fixture("sleepstudy", ss)
ss <- read.csv(w$csv, colClasses = c(Subject = "character"))
models <- list()
f_full <- Reaction ~ Days + (Days | Subject)
for (reml in c(TRUE, FALSE)) {
  m <- tight_fit(f_full, ss, reml)
  models[[length(models) + 1]] <- c(list(formula = "Reaction ~ Days + (Days | Subject)"),
    fit_record(m, list(c(1, 0, 1), c(0.8, -0.3, 0.4), c(1.5, 0.2, 0)), ss))
  cat("sleepstudy (Days|Subject) REML =", reml, "theta", getME(m, "theta"), "\n")
}
m <- tight_fit(Reaction ~ Days + (Days || Subject), ss, TRUE)
models[[length(models) + 1]] <- c(list(formula = "Reaction ~ Days + (Days || Subject)"),
  fit_record(m, list(c(1, 0.5), c(0.3, 0)), ss))
m <- tight_fit(Reaction ~ Days + (0 + Days | Subject), ss, TRUE)
models[[length(models) + 1]] <- c(list(formula = "Reaction ~ Days + (0 + Days | Subject)"),
  fit_record(m, list(c(0.5), c(2)), ss))
# R's lm() on the factor and its per-level slopes, for the term-group R^2
lmr <- list(
  list(formula = "Reaction ~ factor(Subject) + factor(Subject):Days", r2 = lm_r2(Reaction ~ factor(Subject) + factor(Subject):Days, ss)),
  list(formula = "Reaction ~ Days", r2 = lm_r2(Reaction ~ Days, ss)),
  list(formula = "Reaction ~ Days + factor(Subject) + factor(Subject):Days", r2 = lm_r2(Reaction ~ Days + factor(Subject) + factor(Subject):Days, ss))
)
w$write(list(name = "sleepstudy", models = models, lm = lmr))

# ---------------------------------------------------------------------------
# England panel 2013-2018 with an authority-specific trend
en <- read.csv(file.path(out_dir, "england-cpp.csv"), colClasses = c(la_code = "character", region_name = "character"))
en$t <- en$year - 2015.5
en$year_f <- as.character(en$year)
w <- write_fixture("england", en[, c("la_code", "year", "year_f", "t", "cpp_start_rate", "imd2019_avg_score")])
en <- read.csv(w$csv, colClasses = c(la_code = "character", year_f = "character"))
models <- list()
for (reml in c(TRUE, FALSE)) {
  m <- tight_fit(cpp_start_rate ~ imd2019_avg_score + t + (1 + t | la_code) + (1 | year_f), en, reml)
  models[[length(models) + 1]] <- c(list(formula = "cpp_start_rate ~ imd2019_avg_score + t + (1 + t | la_code) + (1 | year_f)"),
    fit_record(m, list(c(0.9, 0.05, 0.1, 0.3), c(1.2, -0.1, 0.2, 0.1)), en))
  cat("england REML =", reml, "theta", getME(m, "theta"), "\n")
}
w$write(list(name = "england", models = models))

# ---------------------------------------------------------------------------
# Simulated: a two-slope term (1 + x1 + x2 | g) plus (1 | h)
set.seed(9101)
G <- 40; per <- 12
g <- rep(sprintf("g%02d", 1:G), each = per)
h <- rep(sprintf("h%02d", 1:per), times = G)
x1 <- round(rnorm(G * per), 3)
x2 <- round(runif(G * per, -1, 1), 3)
Sig <- matrix(c(1, 0.3, -0.2, 0.3, 0.5, 0.1, -0.2, 0.1, 0.4), 3)
b <- MASS::mvrnorm(G, c(0, 0, 0), Sig)
gi <- rep(1:G, each = per)
hv <- rnorm(per, 0, 0.5)
y <- 2 + 0.5 * x1 - 0.3 * x2 + b[gi, 1] + b[gi, 2] * x1 + b[gi, 3] * x2 + hv[rep(1:per, times = G)] + rnorm(G * per, 0, 0.7)
d2 <- data.frame(g = g, h = h, x1 = x1, x2 = x2, y = round(y, 4))
d2 <- d2[-c(5, 17, 40, 41, 42, 100, 230, 231, 400), ]  # unbalanced
w <- write_fixture("twoslope", d2)
d2 <- read.csv(w$csv)
models <- list()
for (reml in c(TRUE, FALSE)) {
  m <- tight_fit(y ~ x1 + x2 + (1 + x1 + x2 | g) + (1 | h), d2, reml)
  models[[length(models) + 1]] <- c(list(formula = "y ~ x1 + x2 + (1 + x1 + x2 | g) + (1 | h)"),
    fit_record(m, list(c(1, 0.2, -0.1, 0.7, 0.1, 0.6, 0.5), c(0.5, 0, 0, 0.5, 0, 0.5, 1)), d2))
  cat("twoslope REML =", reml, "theta", getME(m, "theta"), "\n")
}
w$write(list(name = "twoslope", models = models))

# ---------------------------------------------------------------------------
# Simulated: no slope variance, (x || g) (singular: the slope's theta is 0)
set.seed(9103)
G <- 30; per <- 8
g <- rep(sprintf("u%02d", 1:G), each = per)
x <- rep(0:(per - 1), times = G)
y <- 1 + 0.4 * x + rep(rnorm(G), each = per) + rnorm(G * per, 0, 1)
d3 <- data.frame(g = g, x = x, y = round(y, 4))
w <- write_fixture("singular", d3)
d3 <- read.csv(w$csv)
m <- tight_fit(y ~ x + (x || g), d3, TRUE)
cat("singular theta", getME(m, "theta"), "isSingular", isSingular(m), "\n")
w$write(list(name = "singular", models = list(c(list(formula = "y ~ x + (x || g)"),
  fit_record(m, list(c(1, 0.1), c(0.7, 0)), d3)))))

# ---------------------------------------------------------------------------
# Simulated: slope perfectly tied to the intercept (correlation on the -1 boundary)
set.seed(9103)
G <- 25; per <- 6
g <- rep(sprintf("c%02d", 1:G), each = per)
x <- rep(seq(-1, 1, length.out = per), times = G)
u <- rnorm(G)
y <- 3 + 0.2 * x + rep(u, each = per) - 0.6 * rep(u, each = per) * x + rnorm(G * per, 0, 0.5)
d4 <- data.frame(g = g, x = x, y = round(y, 4))
w <- write_fixture("boundary", d4)
d4 <- read.csv(w$csv)
m <- tight_fit(y ~ x + (1 + x | g), d4, TRUE)
vc <- VarCorr(m)$g
cat("boundary theta", getME(m, "theta"), "corr", attr(vc, "correlation")[1, 2], "\n")
w$write(list(name = "boundary", models = list(c(list(formula = "y ~ x + (1 + x | g)"),
  fit_record(m, list(c(1, -0.5, 0.1)), d4)))))
