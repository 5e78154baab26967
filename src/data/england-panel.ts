/**
 * The England children's social care panel shipped with the package (`data/` folder): its
 * columns and its parser. Browser-safe (no Node API): a browser caller fetches the CSV and
 * parses it here; the Node loader of the shipped file is `load-england-panel.ts`.
 *
 * Data: Contains public sector information licensed under the Open Government Licence v3.0
 * (DfE, MHCLG, DWP, ONS). See `data/README.md` for every column's source and caveats.
 */
import { fromCSV } from 'arquero';
import type { ColumnTable } from 'arquero';
import { VardecompError } from '../errors.js';

/**
 * The file name of the shipped panel inside the package's `data/` folder.
 *
 * @example
 * ```ts
 * const text = await (await fetch(`/data/${ENGLAND_PANEL_FILE}`)).text();
 * ```
 */
export const ENGLAND_PANEL_FILE = 'england-la-childrens-social-care.csv';

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
