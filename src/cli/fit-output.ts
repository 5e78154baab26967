/**
 * A fitted model in the CLI's output formats: lme4-style text, markdown tables, JSON and CSV.
 */
import { table } from 'arquero';
import { GlmmFit, type LmmFit } from '../index.js';
import { markdownTable, observationsText } from '../report/text-layout.js';

/**
 * The CLI's output formats.
 *
 * @example
 * ```ts
 * const format: OutputFormat = 'markdown'; // --format markdown
 * ```
 */
export type OutputFormat = 'table' | 'markdown' | 'json' | 'csv';

/**
 * Output formats, for option validation and help.
 *
 * @example
 * ```ts
 * OUTPUT_FORMATS.includes('csv'); // true
 * ```
 */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'markdown', 'json', 'csv'];

function num(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return x.toExponential(digits - 1);
  return x.toPrecision(digits);
}

/**
 * A fitted model as text in one of the CLI's formats: `table` is lme4's summary layout,
 * `markdown` two tables (random and fixed effects), `json` the serialisable record, `csv` one
 * row per parameter (`part`, `name`, `estimate`, `std_error`, `variance`, `sd`).
 *
 * @example
 * ```ts
 * process.stdout.write(formatFit(fit(rows, 'y ~ x + (1|g)'), 'markdown'));
 * ```
 */
export function formatFit(m: LmmFit | GlmmFit, format: OutputFormat): string {
  switch (format) {
    case 'table':
      return `${m.summary()}\n`;
    case 'json':
      return `${JSON.stringify(m, null, 2)}\n`;
    case 'markdown':
      return fitMarkdown(m);
    case 'csv':
      return fitCsv(m);
  }
}

/** Two markdown tables (random and fixed effects) under a line saying what was fitted. */
function fitMarkdown(m: LmmFit | GlmmFit): string {
  // With random slopes a Name column tells the rows of one group apart.
  const named = m.varcorr.some((r) => r.name !== undefined && r.name !== '(Intercept)');
  const random = named
    ? markdownTable(
        ['Group', 'Name', 'Variance', 'Std. Dev.'],
        m.varcorr.map((r) => [r.group, r.name ?? '', num(r.variance), num(r.sd)]),
        ['left', 'left', 'right', 'right'],
      )
    : markdownTable(
        ['Group', 'Variance', 'Std. Dev.'],
        m.varcorr.map((r) => [r.group, num(r.variance), num(r.sd)]),
        ['left', 'right', 'right'],
      );
  const glmm = m instanceof GlmmFit;
  const fixed = markdownTable(
    ['Term', 'Estimate', 'Std. Error', glmm ? 'z value' : 't value'],
    m.betaNames.map((b) => [b, num(m.beta[b], 5), num(m.se[b], 5), (m.beta[b] / m.se[b]).toFixed(2)]),
    ['left', 'right', 'right', 'right'],
  );
  const what = glmm
    ? `Generalized linear mixed model (${m.family}, ${m.link} link) fit by maximum likelihood (Laplace)`
    : `Linear mixed model fit by ${m.reml ? 'REML' : 'maximum likelihood'}`;
  return `${what}: \`${m.formula}\`, ${observationsText(m.nobs, m.nDropped)}.\n\n**Random effects**\n\n${random}\n\n**Fixed effects**\n\n${fixed}\n`;
}

/** One CSV row per parameter: the coefficients, then the variance components. */
function fitCsv(m: LmmFit | GlmmFit): string {
  const rows = [
    ...m.betaNames.map((b) => ({ part: 'fixed', name: b, estimate: m.beta[b], std_error: m.se[b], variance: null, sd: null })),
    ...m.varcorr.map((r) => ({
      part: r.group === 'Residual' ? 'residual' : 'random',
      // a slope's row is named `group.column` (lme4's theta-style name); intercepts keep the group
      name: r.name !== undefined && r.name !== '(Intercept)' ? `${r.group}.${r.name}` : r.group,
      estimate: null,
      std_error: null,
      variance: r.variance,
      sd: r.sd,
    })),
  ];
  const csv = table({
    part: rows.map((r) => r.part),
    name: rows.map((r) => r.name),
    estimate: rows.map((r) => r.estimate),
    std_error: rows.map((r) => r.std_error),
    variance: rows.map((r) => r.variance),
    sd: rows.map((r) => r.sd),
  }).toCSV();
  return csv.endsWith('\n') ? csv : `${csv}\n`;
}
