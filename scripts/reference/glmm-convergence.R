# Reference fit for a random-slope Poisson GLMM whose optimum the stage-2 chord search stopped
# just short of (a relative Newton step of about 8e-3 in a fixed effect): the fit must reach
# glmer's optimum and report it as converged. Reduced from `npm run fuzz -- --glmm --seed 32
# --only 2580` (scripts/fuzz-glmm.ts) to its three units, written here literally.
#
# Run from the repository root:  Rscript scripts/reference/glmm-convergence.R
# Writes test/fixtures/glmm/convergence-slope.json: the data, the formula and glmer's optimum
# (tight bobyqa; the deviance from glmer's devFunOnly at that optimum). glmer's default tolPwrss
# (1e-7) stands: with 1e-13 its PIRLS fails here ("PIRLS step-halvings failed to reduce deviance
# in pwrssUpdate"), so its deviance and optimum carry PIRLS noise of about 1e-4.
source("scripts/reference/setup.R")
ctl <- glmerControl(optimizer = "bobyqa", optCtrl = TIGHT_OPT)
d <- data.frame(
  y = c(3886, 5285, 24122, 17606, 563, 1650, 105, 268, 31001, 623214, 18783, 44912, 14257, 5759560, 45801, 22281, 0, 0, 0, 0, 0, 1, 0, 0),
  x = c(4.80045278039902, -0.005295864247190646, 1.7806075423185774, 3.2817332328862783, -2.34969052853736, -2.3275394132285467, -1.056934348810686, 0.6629031018169244, 1.3427854747049905, 0.3537061670586188, -1.0359261411649234, 2.397404204260444, -0.9183202609743074, 6.968296656345309, 0.16208539523969734, -1.2921205266548768, -4.9531183922588315, 0.45869593229933736, 0.31396259438125057, -2.93682653645294, -1.625705526263965, 1.448610745502886, -3.208437667014235, -5.3969164236679745),
  z = c(0.1401337185084928, -1.3062574288498976, -2.0002419775852402, -0.4898253019556603, -0.6508310946681327, 1.6977484845395712, 0.5553554745474327, 0.9602141539432492, 0.6265719370246166, -0.19448139234003137, 0.6630642443176218, 1.1784818111191273, 1.6787800865572289, 0.1253812839827558, -0.17977921910464892, 0.48421683579910746, 1.8268403640226876, -0.17250392857520658, 0.3748808492906563, 0.7926292236955566, 0.24314827565546548, 1.1799015785102918, -0.1581802095692886, -1.1913544533557696),
  g = c("U25", "U25", "U25", "U25", "U25", "U25", "U25", "U25", "U26", "U26", "U26", "U26", "U26", "U26", "U26", "U26", "U27", "U27", "U27", "U27", "U27", "U27", "U27", "U27"),
  obs = c("o200", "o201", "o202", "o203", "o204", "o205", "o206", "o207", "o208", "o209", "o210", "o211", "o212", "o213", "o214", "o215", "o216", "o217", "o218", "o219", "o220", "o221", "o222", "o223"),
  region = c("N", "S", "N", "E", "S", "S", "N", "S", "E", "N", "N", "S", "S", "E", "S", "N", "E", "N", "E", "S", "S", "N", "N", "E"),
  pop = c(5204, 8648, 2427, 3143, 361, 5646, 4831, 705, 307747, 715525, 308, 637, 1713, 339, 3085, 149981, 156507, 2052, 421653, 236568, 2927, 372, 1133, 2758)
)
formula <- "y ~ x + z + log(pop) + x:region + (1 | obs) + (x | g)"
m <- glmer(as.formula(formula), data = d, family = poisson, control = ctl)
dev <- glmer(as.formula(formula), data = d, family = poisson, control = ctl, devFunOnly = TRUE)
par <- c(getME(m, "theta"), fixef(m))
cat(sprintf("theta %s deviance %.10f\n", paste(format(getME(m, "theta"), digits = 8), collapse = " "), dev(par)))
print(m@optinfo$conv$lme4)
out <- list(
  versions = reference_versions(), formula = formula, family = "poisson", data = as.list(d),
  theta = I(num(getME(m, "theta"))), beta = I(num(fixef(m))), betaNames = I(names(fixef(m))),
  deviance = dev(par)
)
write_json(out, "test/fixtures/glmm/convergence-slope.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
