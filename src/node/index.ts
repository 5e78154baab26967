/**
 * `vardecomp/node`: reading data files in Node (CSV and TSV streamed, with missing markers and
 * types decided from whole columns; JSON, NDJSON, Arrow). The browser-safe core is `vardecomp`,
 * whose `parseTable` reads CSV text.
 *
 * @example
 * ```ts
 * import { decompose } from 'vardecomp';
 * import { readTable } from 'vardecomp/node';
 * const { table } = await readTable('england.csv');
 * decompose(table, 's47_rate ~ imd2019_avg_score + (1|la_code) + (1|year)');
 * ```
 */
export { readTable, readTableFrom, formatFromName, INPUT_FORMATS } from './read-table.js';
export type { ByteSource, InputFormat, ReadTableOptions } from './read-table.js';
export type { ColumnTypeReport, DelimitedTextOptions, ParsedTable, StatedType } from '../input/delimited-text.js';
