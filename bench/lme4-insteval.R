# lme4's InstEval for bench/compare-lme4-insteval.ts (npm run bench:lme4).
#
# Usage:
#   Rscript bench/lme4-insteval.R export <out.csv>
#     writes lme4::InstEval's columns s, d, dept (level labels) and y (the rating) to a CSV in a
#     temporary directory (InstEval ships with lme4 under the GPL: it is never committed);
#   Rscript bench/lme4-insteval.R time <csv> <reps> <out.tsv>
#     reads that CSV (outside the timing) and times lmer(y ~ 1 + (1|s) + (1|d) + (1|dept),
#     REML = TRUE) with lme4's default control: one warm-up fit, then `reps` timed fits, each
#     timed with Sys.time(). Writes the timings, the REML criterion, the variance components
#     (17 significant digits) and the number of criterion evaluations to <out.tsv>.

suppressPackageStartupMessages(library(lme4))

args <- commandArgs(trailingOnly = TRUE)
fmt <- function(v) formatC(v, digits = 17, format = "g")

if (length(args) == 2 && args[1] == "export") {
  d <- lme4::InstEval
  write.csv(data.frame(s = as.character(d$s), d = as.character(d$d), dept = as.character(d$dept),
                       y = as.numeric(d$y)), args[2], row.names = FALSE)
  quit(status = 0)
}
if (length(args) != 4 || args[1] != "time") stop("usage: lme4-insteval.R export <csv> | time <csv> <reps> <tsv>")

d <- read.csv(args[2], colClasses = c(s = "character", d = "character", dept = "character", y = "numeric"))
reps <- as.integer(args[3])
fit_once <- function() lmer(y ~ 1 + (1 | s) + (1 | d) + (1 | dept), data = d, REML = TRUE)
m <- fit_once() # warm-up
times <- numeric(reps)
for (r in seq_len(reps)) {
  t0 <- Sys.time()
  m <- fit_once()
  times[r] <- as.numeric(difftime(Sys.time(), t0, units = "secs")) * 1000
}
vc <- as.data.frame(VarCorr(m))
v <- function(g) vc$vcov[vc$grp == g & is.na(vc$var2)]
out <- c(
  paste("rows", "reps", "median_ms", "min_ms", "max_ms", "times_ms", "reml_criterion", "sigma2",
        "var_s", "var_d", "var_dept", "beta_intercept", "evaluations", "optimizer", "lme4_version",
        "r_version", sep = "\t"),
  paste(nrow(d), reps, fmt(median(times)), fmt(min(times)), fmt(max(times)), paste(fmt(times), collapse = ","),
        fmt(as.numeric(REMLcrit(m))), fmt(sigma(m)^2), fmt(v("s")), fmt(v("d")), fmt(v("dept")),
        fmt(unname(fixef(m)[1])), m@optinfo$feval, m@optinfo$optimizer,
        as.character(packageVersion("lme4")), paste(R.version$major, R.version$minor, sep = "."), sep = "\t")
)
writeLines(out, args[4])
