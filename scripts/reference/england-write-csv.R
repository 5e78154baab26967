# The England panel (2013-2018) as R writes it: write.csv with its defaults (quoted strings,
# a quoted row-name column with an empty header, missing cells as NA), and the lme4 fit of the
# issue's example model on that file as R reads it. Output: test/fixtures/files/england-r-write-csv.csv
# and test/fixtures/files/england-r-write-csv.json. Run from the repository root:
#   Rscript scripts/reference/england-write-csv.R
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
panel <- read.csv("data/england-la-childrens-social-care.csv", stringsAsFactors = FALSE)
panel <- panel[panel$year >= 2013 & panel$year <= 2018, ]
rownames(panel) <- NULL
out <- "test/fixtures/files/england-r-write-csv.csv"
write.csv(panel, out)

back <- read.csv(out, stringsAsFactors = FALSE)
form <- s47_rate ~ imd2019_avg_score + (1 | la_code) + (1 | year)
ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 2e-4, rhoend = 2e-10, maxfun = 1e5))
m <- lmer(form, data = back, REML = TRUE, control = ctrl)
vc <- as.data.frame(VarCorr(m))
res <- list(
  formula = deparse(form),
  data = basename(out),
  versions = list(R = paste(R.version$major, R.version$minor, sep = "."), lme4 = as.character(packageVersion("lme4"))),
  nrowData = nrow(back),
  nobs = nobs(m),
  nDropped = nrow(back) - nobs(m),
  missingS47 = sum(is.na(back$s47_rate)),
  theta = setNames(as.list(getME(m, "theta")), names(getME(m, "cnms"))),
  sigma = sigma(m),
  variances = setNames(as.list(vc$vcov), vc$grp),
  beta = as.list(fixef(m)),
  REMLcrit = as.numeric(REMLcrit(m))
)
write_json(res, "test/fixtures/files/england-r-write-csv.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("wrote", out, nrow(back), "rows;", nobs(m), "used; sigma", sigma(m), "\n")
