/**
 * The CLI's input: a file or stdin, read by the Node reader (`vardecomp/node`), with the reading
 * options `--input-format`, `--delimiter`, `--decimal`, `--na` and `--type`, and `--types` to
 * print what each column was read as.
 */
import { resolve } from 'node:path';
import { VardecompError } from '../errors.js';
import type { ColumnTypeReport, ParsedTable, StatedType } from '../input/delimited-text.js';
import { INPUT_FORMATS, readTable, readTableFrom, type InputFormat, type ReadTableOptions } from '../node/read-table.js';
import type { CliIo } from './cli-io.js';
import { parseChoice, parseList, parsePairs } from './parse-options.js';

export { formatFromName, INPUT_FORMATS, type InputFormat } from '../node/read-table.js';

/**
 * The reading options as commander collects them.
 *
 * @example
 * ```ts
 * const o: InputOptions = { delimiter: ';', decimal: ',', na: 'NA,-99', type: ['id=text'] };
 * ```
 */
export interface InputOptions {
  inputFormat?: string;
  delimiter?: string;
  decimal?: string;
  na?: string;
  type?: string[];
}

/**
 * Check an `--input-format` value.
 *
 * @throws VardecompError `E_OPTION` for an unknown format.
 * @example
 * ```ts
 * checkInputFormat('tsv'); // "tsv"
 * ```
 */
export function checkInputFormat(value: string | undefined): InputFormat | undefined {
  if (value === undefined) return undefined;
  return parseChoice(value.toLowerCase(), 'input-format', INPUT_FORMATS);
}

const DELIMITER_NAMES: Readonly<Record<string, string>> = { tab: '\t', '\\t': '\t', comma: ',', semicolon: ';', pipe: '|', space: ' ' };

/**
 * The column types stated with `--type col=numeric|text` (repeatable, or comma-separated pairs;
 * `categorical` is a synonym of `text`).
 *
 * @example
 * ```ts
 * statedTypes(['year=text,x=numeric']); // { year: 'text', x: 'numeric' }
 * ```
 */
export function statedTypes(values: readonly string[] | undefined): Record<string, StatedType> {
  const out: Record<string, StatedType> = {};
  for (const v of values ?? []) {
    for (const [col, t] of Object.entries(parsePairs(v, 'type'))) {
      const kind = parseChoice(t, 'type', ['numeric', 'text', 'categorical'] as const);
      out[col] = kind === 'categorical' ? 'text' : kind;
    }
  }
  return out;
}

/**
 * The reader options of the CLI's reading flags.
 *
 * @throws VardecompError `E_OPTION` naming the flag.
 * @example
 * ```ts
 * readOptions({ delimiter: 'semicolon', decimal: ',' }); // { delimiter: ';', decimal: ',' }
 * ```
 */
export function readOptions(o: InputOptions): ReadTableOptions {
  const format = checkInputFormat(o.inputFormat);
  let delimiter: string | undefined;
  if (o.delimiter !== undefined) {
    delimiter = DELIMITER_NAMES[o.delimiter.toLowerCase()] ?? o.delimiter;
    if (delimiter.length !== 1) {
      throw new VardecompError('E_OPTION', `Option "--delimiter" must be one character, or tab, comma, semicolon, pipe, space (got ${JSON.stringify(o.delimiter)})`, {
        option: 'delimiter',
      });
    }
  }
  const decimal = o.decimal === undefined ? undefined : parseChoice(o.decimal, 'decimal', ['.', ','] as const);
  if (decimal === ',' && (delimiter ?? (format === 'tsv' ? '\t' : ',')) === ',') {
    throw new VardecompError('E_OPTION', 'Option "--decimal ," needs another delimiter: add --delimiter ";" (the usual one with decimal commas)', {
      option: 'decimal',
    });
  }
  const types = statedTypes(o.type);
  return {
    ...(format !== undefined ? { format } : {}),
    ...(delimiter !== undefined ? { delimiter } : {}),
    ...(decimal !== undefined ? { decimal } : {}),
    ...(o.na !== undefined ? { na: o.na === '' ? [] : parseList(o.na, 'na') } : {}),
    ...(Object.keys(types).length > 0 ? { types } : {}),
  };
}

/**
 * Read the input: from `file`, or from stdin (streamed) when `file` is missing or `-`.
 *
 * @throws VardecompError `E_INPUT` when there is no input, or the file is missing, empty or
 *   unparsable (naming the row and line).
 * @example
 * ```ts
 * const { table, columns } = await readInput('panel.csv', { na: 'NA,-99' }, processIo());
 * ```
 */
export async function readInput(file: string | undefined, o: InputOptions, io: CliIo): Promise<ParsedTable> {
  const options = readOptions(o);
  if (file === undefined || file === '-') {
    const stdin = io.stdin;
    if (!stdin || stdin.isTTY) {
      throw new VardecompError('E_INPUT', 'No input: give a data file or pipe one on stdin (e.g. vardecomp simulate | vardecomp fit -f "y ~ x + (1|unit)")');
    }
    return readTableFrom(stdin, { ...options, name: 'stdin' });
  }
  return readTable(resolve(io.cwd ?? process.cwd(), file), { ...options, name: file });
}

/**
 * The `--types` report: one line per column with its type, the missing markers counted and the
 * text that made a column text or mixed.
 *
 * @example
 * ```ts
 * process.stdout.write(formatColumnTypes(parsed.columns));
 * ```
 */
export function formatColumnTypes(columns: readonly ColumnTypeReport[]): string {
  const rows = columns.map((c) => {
    const missing = Object.entries(c.missingTokens)
      .map(([t, k]) => `${t === '' ? 'blank' : JSON.stringify(t)} ${k}`)
      .join(', ');
    const text = c.textTokens.map((t) => `${JSON.stringify(t.value)} (row ${t.row}${t.count > 1 ? `, ${t.count}x` : ''})`).join(', ');
    const why =
      c.type === 'mixed' ? `${c.numbers} numbers, ${c.text} text: ${text}${c.text > c.textTokens.reduce((s, t) => s + t.count, 0) ? ', ...' : ''}`
      : c.type === 'text' && !c.stated ? `first text: ${c.textTokens[0] ? text.split(', ')[0] : ''}`
      : '';
    return [c.name, c.type + (c.stated ? ' (stated)' : ''), String(c.missing) + (missing ? ` (${missing})` : ''), why];
  });
  const head = ['column', 'type', 'missing', 'why'];
  const width = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]): string => r.map((x, j) => (j === r.length - 1 ? x : x.padEnd(width[j]))).join('  ').trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}
