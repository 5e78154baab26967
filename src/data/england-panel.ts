/**
 * The England children's social care panel shipped with the package (`data/` folder), and its
 * parser and loader.
 *
 * This module uses Node's file system, so it is not part of the browser-safe core: it is the
 * `vardecomp/data` entry point. {@link parseEnglandPanel} itself only needs the CSV text, so a
 * browser caller can fetch the file and parse it with that.
 *
 * Data: Contains public sector information licensed under the Open Government Licence v3.0
 * (DfE, MHCLG, DWP, ONS). See `data/README.md` for every column's source and caveats.
 */
import { access, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { escape, fromCSV } from 'arquero';
import type { ColumnTable } from 'arquero';
import { VardecompError } from '../errors.js';

/** The file name of the shipped panel inside the package's `data/` folder. */
const PANEL_FILE = 'england-la-childrens-social-care.csv';

/** One column of the England panel, as described to documentation and the CLI. */
export interface EnglandPanelColumn {
  /** Column name, exactly as in the CSV header. */
  readonly name: string;
  /** How {@link parseEnglandPanel} reads the column. */
  readonly type: 'string' | 'number';
  /** What the column holds, its unit and where it comes from, in one sentence or two. */
  readonly description: string;
}

/**
 * The columns of the England panel, in file order.
 *
 * Identifier columns are strings (`old_la_code` is a 3-digit DfE number kept as text); `year` and
 * every measure are numbers. Rates are per 10,000 children aged 0-17 unless stated.
 *
 * @example
 * ```ts
 * import { ENGLAND_PANEL_COLUMNS } from 'vardecomp/data';
 * for (const c of ENGLAND_PANEL_COLUMNS) console.log(`${c.name} (${c.type}): ${c.description}`);
 * ```
 */
export const ENGLAND_PANEL_COLUMNS = [
  { name: 'la_code', type: 'string', description: 'ONS code of the local authority as used in the DfE children-in-need 2023 release (E06/E08/E09/E10).' },
  { name: 'old_la_code', type: 'string', description: 'Three-digit DfE local-authority number (text, e.g. "805"); stable across ONS code changes.' },
  { name: 'la_name', type: 'string', description: 'Local authority name as published by DfE.' },
  { name: 'region_name', type: 'string', description: 'DfE region (London split into Inner and Outer London).' },
  { name: 'year', type: 'number', description: 'Year in which the reporting year ends: 2018 = April 2017 to March 2018 (or 31 March 2018 for stock measures).' },
  { name: 'cin_rate', type: 'number', description: 'Children in need at 31 March per 10,000 children aged 0-17 (DfE, published).' },
  { name: 'cin_episodes_rate', type: 'number', description: 'Children-in-need episodes open at any point in the year per 10,000 children (DfE, published); the NAO\'s "CIN rate".' },
  { name: 'referral_rate', type: 'number', description: 'Referrals to children\'s social care in the year per 10,000 children (DfE, published).' },
  { name: 'cpp_rate', type: 'number', description: 'Children on a child protection plan at 31 March per 10,000 children (derived from DfE count and denominator).' },
  { name: 'cpp_start_rate', type: 'number', description: 'Child protection plans started in the year per 10,000 children (derived); the NAO\'s "CPP rate".' },
  { name: 's47_rate', type: 'number', description: 'Section 47 enquiries started in the year per 10,000 children (derived).' },
  { name: 'lac_rate', type: 'number', description: 'Children looked after at 31 March per 10,000 children (derived, same denominator as the CIN rates).' },
  { name: 'lac_rate_published', type: 'number', description: 'DfE\'s published looked-after rate per 10,000 (whole number); 2018-2023 only.' },
  { name: 'imd2019_avg_score', type: 'number', description: 'English Indices of Deprivation 2019 (MHCLG), IMD average score of the upper-tier authority; time-invariant.' },
  { name: 'imd2019_rank_avg_score', type: 'number', description: 'Rank of the IMD 2019 average score among 151 upper-tier authorities (1 = most deprived); time-invariant.' },
  { name: 'cilif_rel_per100_0_17', type: 'number', description: 'Children in relative low-income families (DWP, before housing costs) per 100 children aged 0-17; a non-standard ratio, 2015-2022.' },
  { name: 'child_pop_0_17_dfe', type: 'number', description: 'Children aged 0-17: the denominator behind DfE\'s published CIN rates, recovered from published counts and rates.' },
  { name: 'child_pop_0_17_ons_current', type: 'number', description: 'ONS mid-year estimate of children aged 0-17 for mid-(year - 1), current (Census-2021-rebased) series.' },
  { name: 'cin_at31_n', type: 'number', description: 'Count: children in need at 31 March.' },
  { name: 'cin_episodes_n', type: 'number', description: 'Count: children-in-need episodes open at any point in the year.' },
  { name: 'referrals_n', type: 'number', description: 'Count: referrals in the year.' },
  { name: 'cpp_at31_n', type: 'number', description: 'Count: children on a child protection plan at 31 March.' },
  { name: 'cpp_start_n', type: 'number', description: 'Count: child protection plans started in the year.' },
  { name: 's47_n', type: 'number', description: 'Count: section 47 enquiries started in the year.' },
  { name: 'lac_at31_n', type: 'number', description: 'Count: children looked after at 31 March.' },
  { name: 'cilif_rel_n', type: 'number', description: 'Count: children in relative low-income families, district figures summed to the upper-tier authority.' },
] as const satisfies readonly EnglandPanelColumn[];

/** The name of a column of the England panel. */
export type EnglandPanelColumnName = (typeof ENGLAND_PANEL_COLUMNS)[number]['name'];

/** Options for {@link loadEnglandPanel}. */
export interface LoadEnglandPanelOptions {
  /**
   * Keep only rows whose `year` lies in `[from, to]`, both ends included. `year` is the year the
   * reporting year ends, so `[2013, 2018]` is 2012-13 to 2017-18.
   */
  readonly years?: readonly [number, number];
}

function parseNumberCell(column: string): (value: string) => number | null {
  return (value) => {
    const text = value.trim();
    if (text === '') return null;
    const x = Number(text);
    if (!Number.isFinite(x)) {
      throw new VardecompError(
        'E_NONNUMERIC',
        `Column "${column}" of the England panel holds the non-numeric value ${JSON.stringify(value)}`,
        { column, value },
      );
    }
    return x;
  };
}

const keepString = (value: string): string => value;

/**
 * Parse the England panel's CSV text into an arquero table with fixed column types.
 *
 * Identifier columns (`la_code`, `old_la_code`, `la_name`, `region_name`) are kept as strings, so
 * `old_la_code` stays `"805"`; `year` and every measure are numbers. Empty cells become `null`
 * (never `NaN` or `0`). Columns not in {@link ENGLAND_PANEL_COLUMNS} are kept as strings.
 *
 * @param csvText - The CSV text, header line first (a byte-order mark is ignored).
 * @returns A table with one row per local authority and year, in file order.
 * @throws VardecompError `E_INPUT` when the text is empty, a required column is missing from the
 *   header (the message names it) or a row has too few fields; `E_NONNUMERIC` when a numeric
 *   column holds text.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { parseEnglandPanel } from 'vardecomp/data';
 * const panel = parseEnglandPanel(readFileSync('england-la-childrens-social-care.csv', 'utf8'));
 * panel.array('old_la_code')[0]; // "805" (a string)
 * ```
 */
export function parseEnglandPanel(csvText: string): ColumnTable {
  if (typeof csvText !== 'string') {
    throw new VardecompError('E_INPUT', `parseEnglandPanel expects CSV text, got ${typeof csvText}`);
  }
  const text = csvText.charCodeAt(0) === 0xfeff ? csvText.slice(1) : csvText;
  if (text.trim() === '') {
    throw new VardecompError('E_INPUT', 'The England panel CSV text is empty');
  }

  const parse: Record<string, (value: string) => unknown> = {};
  for (const c of ENGLAND_PANEL_COLUMNS) {
    parse[c.name] = c.type === 'string' ? keepString : parseNumberCell(c.name);
  }
  const table = fromCSV(text, { header: true, autoType: false, parse });

  const present = new Set(table.columnNames());
  for (const c of ENGLAND_PANEL_COLUMNS) {
    if (!present.has(c.name)) {
      throw new VardecompError(
        'E_INPUT',
        `The England panel CSV has no column "${c.name}" (header: ${table.columnNames().join(', ')})`,
        { column: c.name },
      );
    }
  }
  // A short row leaves `undefined` in the trailing columns: report it instead of passing it on.
  const last = ENGLAND_PANEL_COLUMNS[ENGLAND_PANEL_COLUMNS.length - 1].name;
  const tail = table.array(last);
  for (let i = 0; i < tail.length; i++) {
    if (tail[i] === undefined) {
      throw new VardecompError(
        'E_INPUT',
        `Row ${i + 1} of the England panel CSV has too few fields (no value for "${last}")`,
        { row: i + 1, column: last },
      );
    }
  }
  return table;
}

/**
 * The directory this module runs from. The CommonJS build has `__dirname`; the ESM build (and
 * source run by tsx or vitest) has `import.meta.url`. tsup empties `import.meta` in CommonJS
 * output, so it is read only when `__dirname` is absent.
 */
function moduleDirectory(): string {
  if (typeof __dirname === 'string' && __dirname !== '') return __dirname;
  const url: unknown = import.meta.url;
  if (typeof url === 'string' && url !== '') return dirname(fileURLToPath(url));
  return process.cwd();
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Walk up from this module's directory to the folder that holds `data/<PANEL_FILE>`. */
async function findPanelFile(): Promise<string> {
  const start = moduleDirectory();
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'data', PANEL_FILE);
    if (await exists(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new VardecompError(
    'E_INPUT',
    `Could not find data/${PANEL_FILE} in any folder above ${start}; read the file yourself and call parseEnglandPanel`,
    { file: PANEL_FILE, from: start },
  );
}

function checkYears(years: unknown): readonly [number, number] {
  const ok =
    Array.isArray(years) &&
    years.length === 2 &&
    years.every((y) => typeof y === 'number' && Number.isInteger(y)) &&
    (years[0] as number) <= (years[1] as number);
  if (!ok) {
    throw new VardecompError(
      'E_OPTION',
      `Option "years" must be [from, to] with integer years and from <= to, got ${JSON.stringify(years)}`,
      { option: 'years', value: years },
    );
  }
  return years as unknown as readonly [number, number];
}

/**
 * Load the England local-authority children's social care panel shipped in the package.
 *
 * 1,648 rows, one per upper-tier local authority and year, `year` 2013 to 2023 (2012-13 to
 * 2022-23), 150 authorities a year (149 in 2020 and 2021). Missing cells are `null`. See
 * `data/README.md` for sources, caveats and the NAO 2019 replication window (2013-2018).
 *
 * Contains public sector information licensed under the Open Government Licence v3.0.
 *
 * @param options - `years: [from, to]` keeps only those years (inclusive).
 * @returns A new arquero table typed as {@link parseEnglandPanel} describes.
 * @throws VardecompError `E_OPTION` for a malformed `years`; `E_INPUT` if the shipped file cannot
 *   be found next to the installed package.
 *
 * @example
 * ```ts
 * import { loadEnglandPanel } from 'vardecomp/data';
 * const panel = await loadEnglandPanel({ years: [2013, 2018] }); // the NAO-like window
 * panel.numRows(); // 900
 * ```
 */
export async function loadEnglandPanel(options: LoadEnglandPanelOptions = {}): Promise<ColumnTable> {
  const years = options.years === undefined ? undefined : checkYears(options.years);
  const file = await findPanelFile();
  const table = parseEnglandPanel(await readFile(file, 'utf8'));
  if (years === undefined) return table;
  const [from, to] = years;
  return table
    .filter(escape((d: { year: number }) => d.year >= from && d.year <= to))
    .reify();
}
