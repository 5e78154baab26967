/**
 * The page's analysis as a script a person can run elsewhere: TypeScript (vardecomp) and R (lme4).
 */

/** Everything the scripts need to repeat the page's analysis. */
export interface Analysis {
  /** The file name, or null for the embedded England panel. */
  readonly file: string | null;
  /** `arrow` for an Arrow IPC file (read as it is; the text options do not apply). */
  readonly format?: 'csv' | 'arrow';
  readonly delimiter: string;
  readonly decimal: '.' | ',';
  readonly na: readonly string[];
  readonly formula: string;
  readonly reml: boolean;
  readonly weights?: string;
  readonly periodColumn?: string;
  readonly periodFrom?: number;
  readonly periodTo?: number;
  readonly intervals: { n: number; seed: number; level: number } | null;
}

const js = (v: unknown): string => JSON.stringify(v);
const rs = (s: string): string => JSON.stringify(s); // R accepts JSON string escapes for ASCII

/**
 * A TypeScript (ESM) script that repeats the analysis with vardecomp.
 *
 * @example
 * ```ts
 * typescriptScript({ file: 'panel.csv', delimiter: ',', decimal: '.', na: ['NA'], formula: 'y ~ x + (1|u) + (1|t)', reml: true, intervals: null });
 * ```
 */
export function typescriptScript(a: Analysis): string {
  const filter =
    a.periodColumn !== undefined && (a.periodFrom !== undefined || a.periodTo !== undefined)
      ? `\nconst data = table.filter(escape((d: Record<string, number>) => ${[
          a.periodFrom !== undefined ? `d[${js(a.periodColumn)}] >= ${a.periodFrom}` : null,
          a.periodTo !== undefined ? `d[${js(a.periodColumn)}] <= ${a.periodTo}` : null,
        ]
          .filter(Boolean)
          .join(' && ')})).reify();`
      : '\nconst data = table;';
  const read =
    a.file === null
      ? `import { loadEnglandPanel } from 'vardecomp/data';\n\nconst table = await loadEnglandPanel();`
      : a.format === 'arrow'
        ? `import { readTable } from 'vardecomp/node';\n\nconst { table } = await readTable(${js(a.file)});`
        : `import { readTable } from 'vardecomp/node';\n\nconst { table } = await readTable(${js(a.file)}, { delimiter: ${js(a.delimiter)}, decimal: ${js(a.decimal)}, na: ${js(a.na)} });`;
  const options = [
    `reml: ${a.reml}`,
    ...(a.weights ? [`weights: ${js(a.weights)}`] : []),
    ...(a.intervals ? [`intervals: { n: ${a.intervals.n}, seed: ${a.intervals.seed}, level: ${a.intervals.level} }`] : []),
  ].join(', ');
  return `// Repeats the analysis made on the vardecomp page.
// npm install vardecomp arquero  (and vega vega-lite for charts); run with: npx tsx analysis.ts
import { escape } from 'arquero';
import { compare, fit } from 'vardecomp';
${read}${filter}
const formula = ${js(a.formula)};

console.log(fit(data, formula, { ${[`reml: ${a.reml}`, ...(a.weights ? [`weights: ${js(a.weights)}`] : [])].join(', ')} }).summary());
const c = compare(data, formula, { ${options} });
console.log(c.format());
`;
}

/**
 * An R script (lme4) that refits the model and recomputes the components, sequential and
 * Shapley shares from their definitions (no intervals).
 *
 * @example
 * ```ts
 * rScript({ file: 'panel.csv', delimiter: ',', decimal: '.', na: ['NA'], formula: 'y ~ x + (1|u) + (1|t)', reml: true, intervals: null });
 * ```
 */
export function rScript(a: Analysis): string {
  const file = a.file ?? 'england-la-childrens-social-care.csv';
  const range = [
    a.periodColumn !== undefined && a.periodFrom !== undefined ? `d[[${rs(a.periodColumn)}]] >= ${a.periodFrom}` : null,
    a.periodColumn !== undefined && a.periodTo !== undefined ? `d[[${rs(a.periodColumn)}]] <= ${a.periodTo}` : null,
  ].filter(Boolean);
  const w = a.weights ? `, weights = ${a.weights}` : '';
  return `# Repeats the analysis made on the vardecomp page with lme4 (R >= 4, lme4).
# ${a.file === null ? 'The England panel ships with vardecomp as data/england-la-childrens-social-care.csv.' : 'Reads the same file the page read.'}
library(lme4)

${
    a.format === 'arrow'
      ? `d <- as.data.frame(arrow::read_ipc_file(${rs(file)}))  # the arrow package`
      : `d <- read.csv(${rs(file)}, sep = ${rs(a.delimiter)}, dec = ${rs(a.decimal)}, na.strings = c(${a.na.map(rs).join(', ')}, ""),
              stringsAsFactors = FALSE, check.names = FALSE)`
  }
${range.length > 0 ? `d <- d[!is.na(d[[${rs(a.periodColumn!)}]]) & ${range.join(' & ')}, ]` : ''}
f <- ${a.formula}
# Rows complete on every column the model uses (as the page drops them, and reports them).
d <- d[complete.cases(d[, intersect(all.vars(f)${a.weights ? `, ${rs(a.weights)}` : ''}, names(d)), drop = FALSE]), ]
# between(x, g): the mean of x within g over the model rows; within(x, g): the deviation from it.
between <- function(x, g) ave(x, g)
within <- function(x, g) x - ave(x, g)

m <- lmer(f, data = d, REML = ${a.reml ? 'TRUE' : 'FALSE'}${w})
print(summary(m))

# Components: variance of the fixed part, each random term's variance, residual.
vc <- as.data.frame(VarCorr(m))
fixed_var <- var(as.vector(model.matrix(m) %*% fixef(m)))
resid <- vc$vcov[vc$grp == "Residual"]${a.weights ? ` * mean(1 / d[[${rs(a.weights)}]])` : ''}
parts <- c(fixed = fixed_var, setNames(vc$vcov[vc$grp != "Residual"], vc$grp[vc$grp != "Residual"]), residual = resid)
cat("\\ncomponents (%):\\n"); print(round(100 * parts / sum(parts), 1))

# Sequential and Shapley: R^2 of least squares with the grouping factors as dummies.
bars <- sapply(findbars(f), function(b) deparse(b[[3]]))
fixed_terms <- attr(terms(nobars(f)), "term.labels")
groups <- c(if (length(fixed_terms)) list(fixed = fixed_terms), setNames(as.list(paste0("factor(", bars, ")")), bars))
y <- deparse(f[[2]])
r2 <- function(s) if (length(s) == 0) 0 else summary(lm(reformulate(unlist(groups[s]), response = y), data = d${w}))$r.squared
seq_gain <- diff(sapply(0:length(groups), function(k) r2(names(groups)[seq_len(k)])))
names(seq_gain) <- names(groups)
cat("\\nsequential (%):\\n"); print(round(100 * c(seq_gain, residual = 1 - r2(names(groups))), 1))
perms <- function(v) if (length(v) <= 1) list(v) else do.call(c, lapply(seq_along(v), function(i) lapply(perms(v[-i]), function(p) c(v[i], p))))
shap <- setNames(numeric(length(groups)), names(groups))
for (p in perms(names(groups))) for (k in seq_along(p)) shap[p[k]] <- shap[p[k]] + r2(p[1:k]) - r2(p[seq_len(k - 1)])
shap <- shap / length(perms(names(groups)))
cat("\\nShapley (%):\\n"); print(round(100 * c(shap, residual = 1 - r2(names(groups))), 1))
`;
}
