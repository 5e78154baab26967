# Reference for the components method with precision weights: insight::get_variance's residual
# variance (sigma^2, the residual variance of an observation of weight 1) and the average
# residual variance of the rows, sigma^2 * mean(1 / w), computed from the definition.
# Panels: test/fixtures/panel-weights.csv with its weights w, and with w^4 (weights spread over a
# factor of about 10, so that the two conventions differ by several points), and w^4 * 1000 (the
# same weights in another unit: the mean(1/w) shares do not change, insight's do).
# Run from the repository root: Rscript scripts/reference/insight-weights.R
suppressPackageStartupMessages({ library(lme4); library(insight); library(jsonlite) })
ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 2e-4, rhoend = 2e-10, maxfun = 1e5))
d <- read.csv("test/fixtures/panel-weights.csv")
d$w4 <- d$w^4
d$w4k <- d$w^4 * 1000
one <- function(wcol) {
  d$.w <- d[[wcol]]
  m <- lmer(y ~ x + (1 | la) + (1 | year), data = d, weights = .w, control = ctrl)
  iv <- suppressWarnings(insight::get_variance(m, tolerance = 0))
  vf <- unname(iv$var.fixed)
  vr <- iv$var.intercept
  s2 <- sigma(m)^2
  insight_parts <- c(fixed = vf, la = unname(vr["la"]), year = unname(vr["year"]), residual = unname(iv$var.residual))
  mean_parts <- c(fixed = vf, la = unname(vr["la"]), year = unname(vr["year"]), residual = s2 * mean(1 / d$.w))
  list(
    weights = wcol,
    sigma2 = s2,
    meanInverseWeight = mean(1 / d$.w),
    insight = list(variances = as.list(insight_parts), shares = as.list(insight_parts / sum(insight_parts))),
    meanInverse = list(variances = as.list(mean_parts), shares = as.list(mean_parts / sum(mean_parts)))
  )
}
out <- list(
  name = "insight-weights",
  formula = "y ~ x + (1 | la) + (1 | year)",
  data = "panel-weights.csv",
  versions = list(R = as.character(getRversion()), lme4 = as.character(packageVersion("lme4")),
                  insight = as.character(packageVersion("insight")), jsonlite = as.character(packageVersion("jsonlite"))),
  panels = list(one("w"), one("w4"), one("w4k"))
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "test/fixtures/insight-weights.json")
