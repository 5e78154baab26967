# Set-up shared by the reference scripts. Each script, run from the repository root, begins with
#   source("scripts/reference/setup.R")
# and gets: lme4 and jsonlite attached, C collation (factor levels in the order vardecomp sorts
# them), missing rows omitted, warnings printed as they happen, `out_dir` (test/fixtures), the
# tight optimiser controls every reference fit uses, `num()` and `reference_versions()`.
suppressPackageStartupMessages({
  library(lme4)
  library(jsonlite)
})
invisible(Sys.setlocale("LC_COLLATE", "C"))
options(na.action = "na.omit", warn = 1)

out_dir <- file.path("test", "fixtures")
if (!dir.exists(out_dir)) stop("run from the repository root (test/fixtures not found)")

# bobyqa converged far beyond lme4's defaults (the project's reference tolerance).
TIGHT_OPT <- list(rhobeg = 2e-4, rhoend = 2e-10, maxfun = 1e5)
TIGHT <- lmerControl(optimizer = "bobyqa", optCtrl = TIGHT_OPT)
TIGHT_GLMER <- glmerControl(optimizer = "bobyqa", optCtrl = TIGHT_OPT)

# A numeric vector without names (jsonlite writes named vectors as objects).
num <- function(x) unname(as.numeric(x))

# The versions a fixture records: R's version string and each named package's version.
reference_versions <- function(packages = c("lme4", "Matrix", "jsonlite")) {
  c(list(R = R.version.string), setNames(lapply(packages, function(p) as.character(packageVersion(p))), packages))
}
