# Times lme4::lmer(y ~ x + (1 | unit) + (1 | period), REML = TRUE) in-process, for
# bench/compare-lme4.ts (npm run bench:lme4).
#
# Usage: Rscript bench/lme4-timing.R <out.tsv> <name> <csv> <reps> [<name> <csv> <reps> ...]
#
# Each CSV has columns unit (text), period (integer), x, y. The data frame is read once, outside
# the timing; lmer then builds its own model frame and factors from it, as vardecomp's `fit`
# does from a table in memory. One warm-up fit, then `reps` timed fits; each is timed with
# Sys.time() (microsecond resolution; proc.time() and system.time() only resolve milliseconds).
# Writes one tab-separated line per panel: timings in milliseconds and the estimates (17
# significant digits) for the agreement check.

suppressPackageStartupMessages(library(lme4))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 4 || (length(args) - 1) %% 3 != 0) {
  stop("usage: Rscript lme4-timing.R <out.tsv> <name> <csv> <reps> [...]")
}
out <- args[1]
specs <- matrix(args[-1], ncol = 3, byrow = TRUE)

fmt <- function(v) formatC(v, digits = 17, format = "g")
header <- paste(
  "name", "rows", "reps", "median_ms", "min_ms", "max_ms", "times_ms",
  "reml_criterion", "sigma2", "var_unit", "var_period", "beta_intercept", "beta_x",
  "lme4_version", "r_version", "optimizer",
  sep = "\t"
)
lines <- header

for (k in seq_len(nrow(specs))) {
  name <- specs[k, 1]
  path <- specs[k, 2]
  reps <- as.integer(specs[k, 3])
  d <- read.csv(path, colClasses = c(unit = "character", period = "integer", x = "numeric", y = "numeric"))
  fit_once <- function() lmer(y ~ x + (1 | unit) + (1 | period), data = d, REML = TRUE)
  m <- fit_once() # warm-up
  times <- numeric(reps)
  for (r in seq_len(reps)) {
    t0 <- Sys.time()
    m <- fit_once()
    times[r] <- as.numeric(difftime(Sys.time(), t0, units = "secs")) * 1000
  }
  vc <- as.data.frame(VarCorr(m))
  v <- function(g) vc$vcov[vc$grp == g & is.na(vc$var2)]
  fe <- fixef(m)
  lines <- c(lines, paste(
    name, nrow(d), reps, fmt(median(times)), fmt(min(times)), fmt(max(times)),
    paste(fmt(times), collapse = ","),
    fmt(as.numeric(REMLcrit(m))), fmt(sigma(m)^2), fmt(v("unit")), fmt(v("period")),
    fmt(fe[["(Intercept)"]]), fmt(fe[["x"]]),
    as.character(packageVersion("lme4")), paste(R.version$major, R.version$minor, sep = "."),
    m@optinfo$optimizer,
    sep = "\t"
  ))
  message(sprintf("  lme4 %-10s %8d rows: median %.1f ms over %d fits", name, nrow(d), median(times), reps))
}

writeLines(lines, out)
