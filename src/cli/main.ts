/**
 * The `vardecomp` command line: fit, decompose, compare, simulate and demo.
 *
 * Exit status: 0 on success, 2 for bad input or usage (a `VardecompError`, printed as
 * `vardecomp: E_CODE: message`, or an unknown option), 1 for anything else (unreadable file,
 * internal error). Stack traces only with `--debug`.
 */
import { realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import type { ColumnTable } from 'arquero';
import { version } from '../../package.json';
import { compare, decompose, decomposeMany, decomposeManyAggregates, fit, naoPanel, simulatePanel, VardecompError } from '../index.js';
import type { Diagnostic, IntervalOptions, SimulatePanelOptions } from '../index.js';
import { loadEnglandPanel } from '../data/index.js';
import type { Comparison, Decomposition, ManyDecomposition } from '../report/index.js';
import type { CliIo } from './cli-io.js';
import { processIo } from './cli-io.js';
import { formatFit, OUTPUT_FORMATS, type OutputFormat } from './fit-output.js';
import { parseChoice, parseInteger, parseLabels, parseList, parseNumber, parseProportion, parseShares } from './parse-options.js';
import { createProgress, type Progress } from './progress.js';
import { escapeControl } from './terminal-text.js';
import { formatColumnTypes, readInput, readOptions, statedTypes } from './read-input.js';
import { chartFileContent, chartKind } from './render-chart.js';
import { cellsForOutcomes, fitFromCells, usesCells } from './aggregate-input.js';
import { cellQuery, SQL_DIALECTS } from '../input/cell-query.js';
import { MAX_REPLICATES } from '../decompose/bootstrap.js';

export type { CliIo } from './cli-io.js';

const METHODS = ['components', 'sequential', 'shapley'] as const;
type Method = (typeof METHODS)[number];
type Report = Decomposition | Comparison | ManyDecomposition;

/** Options commander collects (all strings or flags). */
interface RawOptions {
  inputFormat?: string;
  delimiter?: string;
  decimal?: string;
  na?: string;
  type?: string[];
  types?: boolean;
  formula?: string;
  reml?: boolean;
  ml?: boolean;
  weights?: string;
  family?: string;
  offset?: string;
  approximation?: string;
  method?: string;
  labels?: string;
  order?: string;
  bootstrap?: string;
  intervals?: string;
  seed?: string;
  level?: string;
  outcomes?: string;
  rhs?: string;
  format?: string;
  chart?: string;
  debug?: boolean;
  // simulate
  units?: string;
  periods?: string;
  shares?: string;
  exact?: boolean;
  missing?: string;
  within?: string;
  weighted?: boolean;
  nao?: boolean;
  out?: string;
  years?: string;
  // aggregates and SQL
  aggregates?: boolean;
  sql?: string;
  from?: string;
  dialect?: string;
  factors?: string;
}

const EXAMPLES = `
Examples:
  $ vardecomp simulate --nao --exact > panel.csv
  $ vardecomp fit panel.csv -f "rate ~ deprivation + (1|la) + (1|year)"
  $ vardecomp compare panel.csv -f "rate ~ deprivation + (1|la) + (1|year)" \\
      --labels la=local,year=national,fixed=deprivation --bootstrap 500 --chart shares.svg
  $ vardecomp decompose data.csv --outcomes cpp_rate,cin_rate --rhs "imd + (1|la) + (1|year)"
  $ vardecomp fit pupils.parquet -f "score ~ ses + (1|school) + (1|year)"
  $ vardecomp sql -f "score ~ ses + (1|school) + (1|year)" --from analytics.pupils --dialect bigquery
  $ vardecomp decompose cells.csv --aggregates -f "score ~ ses + (1|school) + (1|year)"
  $ vardecomp demo

Exit status: 0 success, 2 bad input or usage (printed as "vardecomp: E_CODE: message"),
1 other errors. Data on stdin when no file or "-" is given.`;

function outputFormat(o: RawOptions): OutputFormat {
  return parseChoice(o.format ?? 'table', 'format', OUTPUT_FORMATS);
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

function renderReport(report: Report, format: OutputFormat): string {
  switch (format) {
    case 'table':
      return `${escapeControl(report.format())}\n`;
    case 'markdown':
      return `${escapeControl(report.toMarkdown({ caption: true }))}\n`;
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'csv':
      return withNewline(report.toTable().toCSV());
  }
}

async function writeTextFile(file: string, text: string, io: CliIo): Promise<void> {
  const path = resolve(io.cwd ?? process.cwd(), file);
  try {
    await writeFile(path, text, 'utf8');
  } catch (e) {
    const code = (e as { code?: string } | null)?.code;
    throw new Error(`cannot write "${file}"${code ? ` (${code})` : ''}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function fitOptions(o: RawOptions): {
  reml?: boolean;
  weights?: string;
  family?: 'poisson' | 'binomial';
  offset?: string;
  types?: Record<string, 'numeric' | 'categorical'>;
} {
  // A column stated text when read is categorical in the model (numbers written as text included).
  const stated = Object.entries(statedTypes(o.type)).map(([col, t]) => [col, t === 'text' ? 'categorical' : 'numeric'] as const);
  const family = o.family === undefined ? 'gaussian' : parseChoice(o.family, 'family', ['gaussian', 'poisson', 'binomial'] as const);
  if (family !== 'gaussian' && (o.ml || o.reml)) {
    throw new VardecompError('E_OPTION', `Options "--reml" and "--ml" do not apply to --family ${family}: a GLMM is fitted by maximum likelihood (Laplace)`, {
      option: o.ml ? 'ml' : 'reml',
    });
  }
  return {
    ...(family === 'gaussian' ? { reml: !o.ml } : { family }),
    ...(o.offset !== undefined ? { offset: o.offset } : {}),
    ...(o.weights !== undefined ? { weights: o.weights } : {}),
    ...(stated.length > 0 ? { types: Object.fromEntries(stated) } : {}),
  };
}

/** Read the input table; with --types, print each column's type instead and return null. */
async function inputTable(file: string | undefined, o: RawOptions, io: CliIo): Promise<ColumnTable | null> {
  const parsed = await readInput(file, o, io);
  if (!o.types) return parsed.table;
  io.stdout.write(formatColumnTypes(parsed.columns));
  return null;
}

function requireFormula(o: RawOptions): string {
  if (o.formula === undefined || o.formula.trim() === '') {
    throw new VardecompError('E_OPTION', 'Option "--formula" is required, e.g. --formula "y ~ x + (1|unit) + (1|period)"', {
      option: 'formula',
    });
  }
  return o.formula;
}

/** The interval settings, or undefined without `--bootstrap` / `--intervals` (or with `--bootstrap 0`). */
function intervalOptions(o: RawOptions, onProgress: (done: number, total: number) => void, defaultReplicates = 0): IntervalOptions | undefined {
  const n = o.bootstrap === undefined ? defaultReplicates : parseInteger(o.bootstrap, 'bootstrap', 0, MAX_REPLICATES);
  const method = o.intervals === undefined ? undefined : (o.intervals as IntervalOptions['method']);
  if (n === 0 && method === undefined) {
    if (o.seed !== undefined || o.level !== undefined) {
      throw new VardecompError('E_OPTION', `Option "--${o.seed !== undefined ? 'seed' : 'level'}" needs --bootstrap N (the number of replicates)`, {
        option: o.seed !== undefined ? 'seed' : 'level',
      });
    }
    return undefined;
  }
  if (n === 1) throw new VardecompError('E_OPTION', `Option "--bootstrap" must be 0 or at least 2 (got ${n})`, { option: 'bootstrap', value: n });
  const seed = o.seed === undefined ? 1 : parseNumber(o.seed, 'seed');
  const level = o.level === undefined ? 0.95 : parseProportion(o.level, 'level');
  return { ...(method !== undefined ? { method } : {}), ...(n >= 2 ? { n } : {}), seed, level, onProgress };
}

/** The decomposition options the CLI can set. */
interface CliDecomposeOptions {
  reml?: boolean;
  weights?: string;
  family?: 'poisson' | 'binomial';
  offset?: string;
  labels?: Record<string, string>;
  order?: string[];
  intervals?: IntervalOptions;
}

function decomposeOptions(o: RawOptions, progress: Progress, defaultReplicates = 0): CliDecomposeOptions {
  const intervals = intervalOptions(o, progress.update, defaultReplicates);
  return {
    ...fitOptions(o),
    ...(o.labels !== undefined ? { labels: parseLabels(o.labels) } : {}),
    ...(o.order !== undefined ? { order: parseList(o.order, 'order') } : {}),
    ...(intervals ? { intervals } : {}),
  };
}

async function emitReport(report: Report, o: RawOptions, io: CliIo): Promise<void> {
  io.stdout.write(renderReport(report, outputFormat(o)));
  if (o.chart !== undefined) await writeTextFile(o.chart, await chartFileContent(report.toVegaLite(), o.chart), io);
}

/**
 * Say before the optimiser runs that a fit will be slow (a `LARGE_DENSE_BLOCK` warning), so that
 * minutes are not spent without a word; the report repeats it with the other diagnostics.
 */
function announceCost(io: CliIo): (warning: Diagnostic) => void {
  return (warning) => {
    if (warning.code === 'LARGE_DENSE_BLOCK') io.stderr.write(`vardecomp: warning: ${escapeControl(warning.message)}\n`);
  };
}

/** {@link announceCost} as an option of a fit from rows (Gaussian or GLMM). */
function costWarning(io: CliIo): { onWarning?: (warning: Diagnostic) => void } {
  return { onWarning: announceCost(io) };
}

/**
 * `--approximation` (decompose): the latent-scale variance of a Poisson GLMM, lognormal (the
 * default), delta or trigamma; refused for other families, where it has no meaning.
 */
function approximationOption(o: RawOptions): { approximation?: 'lognormal' | 'delta' | 'trigamma' } {
  if (o.approximation === undefined) return {};
  const approximation = parseChoice(o.approximation, 'approximation', ['lognormal', 'delta', 'trigamma'] as const);
  if (fitOptions(o).family !== 'poisson') {
    throw new VardecompError(
      'E_OPTION',
      'Option "--approximation" applies to --family poisson (the latent-scale variance of a Poisson GLMM: lognormal, delta or trigamma)',
      { option: 'approximation' },
    );
  }
  return { approximation };
}

/** Check the cheap options before reading data or fitting. */
function precheck(o: RawOptions): void {
  outputFormat(o);
  readOptions(o);
  if (o.chart !== undefined) chartKind(o.chart);
  if (o.method !== undefined) parseChoice(o.method, 'method', METHODS);
  approximationOption(o);
}

async function runFit(file: string | undefined, o: RawOptions, io: CliIo): Promise<void> {
  const format = outputFormat(o);
  readOptions(o);
  const formula = o.types ? '' : requireFormula(o);
  const { family, ...options } = fitOptions(o);
  let m: Parameters<typeof formatFit>[0];
  if (!o.types && usesCells(file, o)) {
    if (family !== undefined) {
      throw new VardecompError('E_OPTION', 'Option "--family" does not apply to a fit from aggregates (Parquet, --sql, --aggregates): they fit Gaussian models', { option: 'family' });
    }
    m = await fitFromCells(file, o, formula, io, announceCost(io));
  } else {
    const data = await inputTable(file, o, io);
    if (data === null) return;
    m = family === undefined ? fit(data, formula, { ...options, onWarning: announceCost(io) }) : fit(data, formula, { ...options, family, onWarning: announceCost(io) });
  }
  const text = formatFit(m, format);
  io.stdout.write(format === 'table' || format === 'markdown' ? escapeControl(text) : text);
}

async function runDecompose(file: string | undefined, o: RawOptions, io: CliIo): Promise<void> {
  precheck(o);
  const method: Method = o.method === undefined ? 'components' : parseChoice(o.method, 'method', METHODS);
  const many = o.outcomes !== undefined || o.rhs !== undefined;
  if (many) {
    if (o.formula !== undefined) {
      throw new VardecompError('E_OPTION', 'Give either --formula, or --outcomes with --rhs, not both', { option: 'formula' });
    }
    if (o.outcomes === undefined || o.rhs === undefined) {
      throw new VardecompError('E_OPTION', 'Options "--outcomes" and "--rhs" go together, e.g. --outcomes a,b --rhs "x + (1|unit)"', {
        option: o.outcomes === undefined ? 'outcomes' : 'rhs',
      });
    }
    const outcomes = parseList(o.outcomes, 'outcomes');
    const rhs = o.rhs;
    const cells = !o.types && usesCells(file, o) ? await cellsForOutcomes(file, o, outcomes, rhs, io) : null;
    const data = cells ? null : await inputTable(file, o, io);
    if (!cells && data === null) return;
    const progress = createProgress(io, 'outcomes');
    let finished = 0;
    const perOutcome = o.bootstrap === undefined ? 0 : parseInteger(o.bootstrap, 'bootstrap', 0, MAX_REPLICATES);
    const track: Progress = {
      update: (done) => progress.update(finished * perOutcome + done, outcomes.length * perOutcome),
      stop: progress.stop,
    };
    try {
      const options = decomposeOptions(o, track);
      const onProgress = (done: number, total: number) => {
        finished = done;
        if (perOutcome === 0) progress.update(done, total);
      };
      const { weights: _weights, ...cellOptions } = options;
      const result = cells
        ? decomposeManyAggregates(cells, { ...cellOptions, method, rhs, onProgress, ...costWarning(io) })
        : decomposeMany(data!, { ...options, ...approximationOption(o), method, outcomes, rhs, onProgress, ...costWarning(io) });
      progress.stop();
      await emitReport(result, o, io);
    } finally {
      progress.stop();
    }
    return;
  }
  const formula = o.types ? '' : requireFormula(o);
  if (!o.types && usesCells(file, o)) {
    const m = await fitFromCells(file, o, formula, io, announceCost(io));
    const progress = createProgress(io, 'bootstrap');
    try {
      // The weights are in the cells (fitFromCells read them).
      const { reml: _reml, weights: _weights, ...options } = decomposeOptions(o, progress);
      const result = decompose(m, { ...options, method });
      progress.stop();
      await emitReport(result, o, io);
    } finally {
      progress.stop();
    }
    return;
  }
  const data = await inputTable(file, o, io);
  if (data === null) return;
  const progress = createProgress(io, 'bootstrap');
  try {
    const result = decompose(data, formula, { ...decomposeOptions(o, progress), ...approximationOption(o), method, ...costWarning(io) });
    progress.stop();
    await emitReport(result, o, io);
  } finally {
    progress.stop();
  }
}

async function runCompare(file: string | undefined, o: RawOptions, io: CliIo): Promise<void> {
  precheck(o);
  const formula = o.types ? '' : requireFormula(o);
  const cells = !o.types && usesCells(file, o) ? await fitFromCells(file, o, formula, io, announceCost(io)) : null;
  const data = cells ? null : await inputTable(file, o, io);
  if (!cells && data === null) return;
  const progress = createProgress(io, 'bootstrap');
  try {
    const { reml, weights, ...options } = decomposeOptions(o, progress);
    const result = cells ? compare(cells, options) : compare(data!, formula, { reml, ...(weights !== undefined ? { weights } : {}), ...options, ...costWarning(io) });
    progress.stop();
    await emitReport(result, o, io);
  } finally {
    progress.stop();
  }
}

function tableText(t: ColumnTable, format: string): string {
  const f = parseChoice(format, 'format', ['csv', 'tsv', 'json'] as const);
  if (f === 'json') return `${JSON.stringify(t.objects(), null, 0).replace(/\},\{/g, '},\n{')}\n`;
  return withNewline(t.toCSV(f === 'tsv' ? { delimiter: '\t' } : {}));
}

function runSql(o: RawOptions, io: CliIo): void {
  const formula = requireFormula(o);
  if (o.from === undefined || o.from.trim() === '') {
    throw new VardecompError('E_OPTION', 'Option "--from" is required: a table name or a query, e.g. --from analytics.pupils', { option: 'from' });
  }
  const dialect = parseChoice(o.dialect ?? 'duckdb', 'dialect', SQL_DIALECTS);
  const categorical = o.factors === undefined ? [] : parseList(o.factors, 'factors');
  io.stdout.write(`${cellQuery(formula, { from: o.from, dialect, categorical, ...(o.weights !== undefined ? { weights: o.weights } : {}) }).sql};\n`);
}

async function runSimulate(o: RawOptions, io: CliIo): Promise<void> {
  const format = o.format ?? 'csv';
  parseChoice(format, 'format', ['csv', 'tsv', 'json'] as const);
  const options: { -readonly [K in keyof SimulatePanelOptions]: SimulatePanelOptions[K] } = {};
  if (o.units !== undefined) options.units = parseInteger(o.units, 'units');
  if (o.periods !== undefined) options.periods = parseInteger(o.periods, 'periods');
  if (o.seed !== undefined) options.seed = parseNumber(o.seed, 'seed');
  if (o.shares !== undefined) options.shares = parseShares(o.shares);
  if (o.missing !== undefined) options.missing = parseNumber(o.missing, 'missing');
  if (o.within !== undefined) options.covariateWithin = parseNumber(o.within, 'within');
  if (o.exact) options.exact = true;
  if (o.weighted) options.weights = true;
  const panel = o.nao ? naoPanel(options) : simulatePanel(options);
  const text = tableText(panel, format);
  if (o.out !== undefined) await writeTextFile(o.out, text, io);
  else io.stdout.write(text);
}

function parseYears(text: string): [number, number] {
  const m = /^\s*(\d{4})\s*(?:-|:|\.\.)\s*(\d{4})\s*$/.exec(text);
  if (!m) throw new VardecompError('E_OPTION', `Option "--years" must be a range such as 2013-2018 (got ${JSON.stringify(text)})`, { option: 'years' });
  return [Number(m[1]), Number(m[2])];
}

async function runDemo(o: RawOptions, io: CliIo): Promise<void> {
  precheck(o);
  const [from, to] = parseYears(o.years ?? '2013-2018');
  const panel = await loadEnglandPanel({ years: [from, to] });
  const progress = createProgress(io, 'bootstrap');
  let result: Comparison;
  try {
    result = compare(panel, 'cpp_start_rate ~ imd2019_avg_score + (1|la_code) + (1|year)', {
      ...decomposeOptions({ ...o, labels: 'la_code=local,year=national,fixed=deprivation' }, progress, 200),
    });
  } finally {
    progress.stop();
  }
  const format = outputFormat(o);
  if (format === 'table' || format === 'markdown') {
    io.stdout.write(
      [
        `Child protection plan starts per 10,000 children, English local authorities, ${from}-${to}`,
        'NAO (2019): local authority characteristics 44%, deprivation 15%, national changes 10%.',
        '',
        '',
      ].join('\n'),
    );
  }
  await emitReport(result, o, io);
  if (format === 'table' || format === 'markdown') {
    io.stdout.write('\nContains public sector information licensed under the Open Government Licence v3.0.\n');
  }
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function addInput(cmd: Command): Command {
  return cmd
    .argument('[file]', 'data file: .csv, .tsv, .json, .ndjson, .arrow, or .parquet (read by DuckDB) (none or "-" reads stdin)')
    .option('--input-format <format>', 'csv | tsv | json | ndjson | arrow (default: from the file name, else csv)')
    .option('--delimiter <char>', 'CSV field delimiter: one character, or tab, semicolon, pipe (default "," and tab for .tsv)')
    .option('--decimal <mark>', 'decimal mark of numbers in CSV: "." (default) or "," (European files, with --delimiter ";")')
    .option('--na <markers>', 'comma-separated cell texts read as missing (default NA,N/A,NaN,null,.,#N/A; blank cells always)')
    .option('--type <col=type>', 'read a column as numeric or text (repeatable, or col=type,col=type); text columns are levels', collect, [])
    .option('--types', 'print each column\'s type (and the tokens that made it so), then stop')
    .option('--sql <query>', 'fit the rows of an SQL query run by DuckDB (it reads files: read_parquet(...), read_csv(...)); only cell statistics come back')
    .option('--aggregates', 'the input is an aggregate table: the result of the query `vardecomp sql` prints');
}

function addModel(cmd: Command): Command {
  return cmd
    .option(
      '-f, --formula <formula>',
      'model formula, e.g. "y ~ x + (1|unit) + (1|period)"; formula functions: within(x, g), between(x, g), ' +
        'log, log1p, exp, sqrt, scale, I(x^2), offset(z)',
    )
    .option('--reml', 'fit by restricted maximum likelihood (the default)')
    .addOption(new Option('--ml', 'fit by maximum likelihood').conflicts('reml'))
    .option('--weights <column>', 'column of precision weights (lme4 weights); binomial: the number of trials of a proportion')
    .option(
      '--family <family>',
      'gaussian (default) | poisson (log link) | binomial (logit link; response 0/1, cbind(successes, failures) or a proportion with --weights trials)',
    )
    .option('--offset <column>', 'column added to the linear predictor (already on the link scale; or offset(log(col)) in the formula)');
}

function addShares(cmd: Command, defaultReplicates = 0): Command {
  return cmd
    .option('--labels <pairs>', 'display names, e.g. la_code=local,year=national,fixed=deprivation')
    .option('--order <keys>', 'entry order for the sequential method, e.g. fixed,year,la_code')
    .option('--bootstrap <n>', `bootstrap replicates for intervals (default ${defaultReplicates}${defaultReplicates === 0 ? ': none' : ''})`)
    .option('--intervals <method>', 'interval method: auto (profile for components, unit bootstrap otherwise) | profile | percentile | unit-bootstrap')
    .option('--seed <s>', 'bootstrap seed (default 1)')
    .option('--level <p>', 'interval coverage (default 0.95)')
    .option('--format <format>', 'table | markdown | json | csv (default table)')
    .option('--chart <file>', 'also write a chart: .svg, .html or .vl.json (Vega-Lite spec)');
}

function addDebug(cmd: Command): Command {
  return cmd.option('--debug', 'print stack traces of errors');
}

function buildProgram(io: CliIo): Command {
  const program = new Command('vardecomp');
  program
    .description(
      'Variance decomposition for panels: lme4-equivalent random-intercept mixed models and ' +
        'component, sequential and Shapley shares with parametric-bootstrap intervals.',
    )
    .version(version, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      outputError: (s, write) => write(`vardecomp: ${s.replace(/^error: /, '')}`),
    })
    .showSuggestionAfterError(true)
    .addHelpText('after', EXAMPLES);

  addDebug(
    program
      .command('sql')
      .description('print one SQL query that returns the cell statistics of a model (fit its result with --aggregates)')
      .option('-f, --formula <formula>', 'model formula, e.g. "y ~ x + (1|unit) + (1|period)"')
      .option('--from <source>', 'table name (pasted into FROM as written) or a SELECT / WITH query')
      .option('--dialect <dialect>', `${SQL_DIALECTS.join(' | ')} (default duckdb)`)
      .option('--factors <columns>', 'covariates that are categories, comma-separated (they join the GROUP BY)')
      .option('--weights <column>', 'column of precision weights (the query then returns weighted cells; fit them with --weights)'),
  ).action((o: RawOptions) => runSql(o, io));

  addDebug(
    addModel(addInput(program.command('fit').description('fit a mixed model and print an lme4-style summary'))).option(
      '--format <format>',
      'table | markdown | json | csv (default table)',
    ),
  ).action((file: string | undefined, o: RawOptions) => runFit(file, o, io));

  addDebug(
    addShares(
      addModel(addInput(program.command('decompose').description('split the variation of an outcome (or of several with --outcomes/--rhs)')))
        .option('--method <method>', 'components | sequential | shapley (default components)')
        .option('--approximation <kind>', 'Poisson GLMM latent-scale variance: lognormal (default) | delta | trigamma')
        .option('--outcomes <columns>', 'several outcomes, comma-separated (with --rhs instead of --formula)')
        .option('--rhs <rhs>', 'right-hand side shared by --outcomes, e.g. "imd + (1|la) + (1|year)"'),
    ),
  ).action((file: string | undefined, o: RawOptions) => runDecompose(file, o, io));

  addDebug(addShares(addModel(addInput(program.command('compare').description('the same split by all three methods, side by side'))))).action(
    (file: string | undefined, o: RawOptions) => runCompare(file, o, io),
  );

  addDebug(
    program
      .command('simulate')
      .description('write a simulated unit x period panel (CSV) with known variance shares')
      .option('--units <n>', 'number of units (default 150)')
      .option('--periods <n>', 'number of periods (default 8)')
      .option('--shares <pairs>', 'target shares, e.g. unit=.44,fixed=.15,period=.1,residual=.31')
      .option('--seed <s>', 'random seed (default 1)')
      .option('--exact', 'make the realised components decompose exactly onto the targets')
      .option('--missing <fraction>', 'fraction of rows dropped at random (default 0)')
      .option('--within <c>', 'share of the covariate varying within units over time, 0 to 1 (default 0)')
      .option('--weighted', 'add a column "w" of precision weights')
      .option('--nao', 'NAO-shaped panel: columns la, year, deprivation, rate (150 x 8, 2011-2018)')
      .option('--format <format>', 'csv | tsv | json (default csv)')
      .option('-o, --out <file>', 'write to a file instead of stdout'),
  ).action((o: RawOptions) => runSimulate(o, io));

  addDebug(
    program
      .command('demo')
      .description('the NAO-style split on the embedded England panel, by all three methods')
      .option('--years <from-to>', 'years of the panel (default 2013-2018, the NAO window)')
      .option('--bootstrap <n>', 'parametric-bootstrap replicates (default 200)')
      .option('--seed <s>', 'bootstrap seed (default 1)')
      .option('--level <p>', 'interval coverage (default 0.95)')
      .option('--format <format>', 'table | markdown | json | csv (default table)')
      .option('--chart <file>', 'also write a chart: .svg, .html or .vl.json'),
  ).action((o: RawOptions) => runDemo(o, io));

  return program;
}

/**
 * Print an error as one line and return the exit status: 2 for `VardecompError` and usage
 * errors, 1 otherwise.
 */
function reportError(error: unknown, io: CliIo, debug: boolean): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  const oneLine = (s: string): string => escapeControl(s.replace(/\s*\n\s*/g, ' ').trim());
  if (error instanceof VardecompError) {
    io.stderr.write(`vardecomp: ${error.code}: ${oneLine(error.message)}\n`);
  } else {
    io.stderr.write(`vardecomp: ${oneLine(error instanceof Error ? error.message : String(error))}\n`);
  }
  if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return error instanceof VardecompError ? 2 : 1;
}

/**
 * Run the CLI on `argv` (the arguments after the program name) and return the exit status;
 * nothing calls `process.exit`, so it can run in-process.
 *
 * @example
 * ```ts
 * import { main } from './main.js';
 * const code = await main(['simulate', '--units', '20', '--periods', '4'], {
 *   stdout: { write: (s) => process.stdout.write(s) },
 *   stderr: { write: (s) => process.stderr.write(s) },
 * });
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    return reportError(error, io, debug);
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
