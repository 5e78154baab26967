# Times lme4::lmer on random-slope models in-process, for bench/slopes.ts (npm run bench:slopes).
#
# Usage: Rscript bench/lme4-slopes-timing.R <out.tsv> <name> <csv> <reps> <formula> [...]
#
# Each CSV is read once, outside the timing (grouping columns as text). One warm-up fit, then
# `reps` timed fits (REML, lme4's default optimiser), each timed with Sys.time(). Writes one
# tab-separated line per case: timings in milliseconds and the REML criterion (17 significant
# digits) for the agreement check.

suppressPackageStartupMessages(library(lme4))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 5 || (length(args) - 1) %% 4 != 0) {
  stop("usage: Rscript lme4-slopes-timing.R <out.tsv> <name> <csv> <reps> <formula> [...]")
}
out <- args[1]
specs <- matrix(args[-1], ncol = 4, byrow = TRUE)
fmt <- function(v) formatC(v, digits = 17, format = "g")
lines <- paste("name", "rows", "reps", "median_ms", "min_ms", "max_ms", "times_ms", "reml_criterion",
               "lme4_version", "r_version", "optimizer", sep = "\t")
for (k in seq_len(nrow(specs))) {
  name <- specs[k, 1]
  cols <- names(read.csv(specs[k, 2], nrows = 1))
  text <- intersect(c("group1", "group2"), cols)
  d <- read.csv(specs[k, 2], colClasses = setNames(rep("character", length(text)), text))
  reps <- as.integer(specs[k, 3])
  f <- as.formula(specs[k, 4])
  fit_once <- function() lmer(f, data = d, REML = TRUE)
  m <- fit_once()
  times <- numeric(reps)
  for (r in seq_len(reps)) {
    t0 <- Sys.time()
    m <- fit_once()
    times[r] <- as.numeric(difftime(Sys.time(), t0, units = "secs")) * 1000
  }
  lines <- c(lines, paste(name, nrow(d), reps, fmt(median(times)), fmt(min(times)), fmt(max(times)),
                          paste(fmt(times), collapse = ","), fmt(as.numeric(REMLcrit(m))),
                          as.character(packageVersion("lme4")), paste(R.version$major, R.version$minor, sep = "."),
                          m@optinfo$optimizer, sep = "\t"))
  message(sprintf("  lme4 %-12s %8d rows: median %.1f ms over %d fits", name, nrow(d), median(times), reps))
}
writeLines(lines, out)
