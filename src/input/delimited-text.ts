/**
 * Delimited text (CSV, TSV) to a table, in one pass over text chunks, with every column's type
 * decided from all of its values.
 *
 * arquero's `fromCSV` reads a whole string correctly but decides types from the first 1,000
 * values, keeps rows with extra fields by dropping the extras, keeps the last of two columns with
 * the same name and reads ISO dates as `Date` objects; its streaming reader (`loadCSV`,
 * `fromCSVStream`) splits quoted fields at chunk boundaries. Those are the parts written here: a
 * small RFC 4180 tokenizer that carries its state across chunks, and per-column builders that
 * store numbers in a `Float64Array` and count the tokens that decide the type. The result is an
 * arquero table. Browser-safe (no Node APIs): the Node reader streams files into
 * {@link DelimitedTextReader}.
 */
import { table as arqueroTable } from 'arquero';
import type { ColumnTable } from 'arquero';
import { VardecompError } from '../errors.js';
import { DEFAULT_MISSING_MARKERS, parseNumberText, withMissingDecided } from './cell-text.js';
import { withDictionary } from './dictionary-codes.js';

/**
 * A column type a reader can be told or decides: `numeric` (numbers; missing cells are NaN) or
 * `text` (strings; missing cells are null).
 *
 * @example
 * ```ts
 * const types: Record<string, StatedType> = { la_code: 'text', rate: 'numeric' };
 * ```
 */
export type StatedType = 'numeric' | 'text';

/**
 * Options of {@link parseTable} and the Node `readTable`.
 *
 * @example
 * ```ts
 * const opts: DelimitedTextOptions = { delimiter: ';', decimal: ',', na: ['NA', '-99'], types: { id: 'text' } };
 * ```
 */
export interface DelimitedTextOptions {
  /** Field delimiter, one character (default `,`; `\t` for TSV). */
  readonly delimiter?: string;
  /** Decimal mark of numbers, `.` (default) or `,` (European files; then the delimiter is not `,`). */
  readonly decimal?: '.' | ',';
  /**
   * Cell texts that mean "missing", compared after trimming spaces (default
   * {@link DEFAULT_MISSING_MARKERS}: `NA`, `N/A`, `NaN`, `null`, `.`, `#N/A`). Empty and blank
   * cells are always missing.
   */
  readonly na?: readonly string[];
  /** Stated column types; the other columns' types are decided from all of their values. */
  readonly types?: Readonly<Record<string, StatedType>>;
}

/**
 * What a reader decided about one column, and why.
 *
 * - `numeric`: every present cell is a number (missing cells are NaN).
 * - `text`: no present cell is a number (or the type was stated), cells are strings.
 * - `mixed`: numbers and text both occur. Numbers stay numbers and text stays text, so a model
 *   that needs a number names the first text cell, and nothing becomes a factor silently; state
 *   the type (or add the token to the missing markers) to read it otherwise.
 * - `empty`: every cell is missing.
 *
 * @example
 * ```ts
 * const { columns } = parseTable('y,g\n1,a\nNA,b\n');
 * columns[0]; // { name: 'y', type: 'numeric', stated: false, rows: 2, missing: 1, missingTokens: { NA: 1 }, numbers: 1, text: 0, textTokens: [] }
 * ```
 */
export interface ColumnTypeReport {
  readonly name: string;
  readonly type: 'numeric' | 'text' | 'mixed' | 'empty';
  /** True when the type came from the `types` option. */
  readonly stated: boolean;
  readonly rows: number;
  /** Missing cells, and how many of each marker (`""` for empty or blank cells). */
  readonly missing: number;
  readonly missingTokens: Readonly<Record<string, number>>;
  /** Cells read as numbers, and cells read as text. */
  readonly numbers: number;
  readonly text: number;
  /** The first distinct text cells (up to 5): value, first row (0-based data row), count. */
  readonly textTokens: ReadonlyArray<{ readonly value: string; readonly row: number; readonly count: number }>;
}

/**
 * A parsed table with the type report of each column.
 *
 * @example
 * ```ts
 * const { table, columns } = parseTable(text);
 * fit(table, 'y ~ x + (1|g)');
 * ```
 */
export interface ParsedTable {
  readonly table: ColumnTable;
  readonly columns: readonly ColumnTypeReport[];
}

const MAX_TEXT_TOKENS = 5;

function inputError(message: string, detail?: Record<string, unknown>): VardecompError {
  return new VardecompError('E_INPUT', message, detail);
}

/**
 * One column being read: numbers in a growing Float64Array until a text cell appears. Text is
 * dictionary-encoded as it arrives (each distinct value stored once, with integer keys), so that
 * a factor is later encoded from the keys.
 */
class ColumnBuilder {
  private num = new Float64Array(1024);
  private values: unknown[] | null = null;
  private n = 0;
  /** Text dictionary and keys (-1 for missing); dropped when the column turns out mixed. */
  private dict: Map<string, number> | null = null;
  private keys: Int32Array | null = null;
  private readonly words: string[] = [];
  missing = 0;
  numbers = 0;
  text = 0;
  readonly missingTokens = new Map<string, number>();
  readonly textTokens: Array<{ value: string; row: number; count: number }> = [];

  constructor(
    readonly name: string,
    private readonly stated: StatedType | undefined,
    private readonly na: ReadonlySet<string>,
    private readonly decimalComma: boolean,
  ) {
    if (stated === 'text') {
      this.values = [];
      this.dict = new Map();
      this.keys = new Int32Array(1024);
    }
  }

  add(token: string, line: number): void {
    const row = this.n;
    let t = token;
    if (t.length > 0 && (t.charCodeAt(0) <= 32 || t.charCodeAt(t.length - 1) <= 32)) t = t.trim();
    if (t === '' || this.na.has(t)) {
      this.missing++;
      this.missingTokens.set(t, (this.missingTokens.get(t) ?? 0) + 1);
      this.push(null, NaN);
      return;
    }
    if (this.stated === 'text') {
      this.text++;
      this.push(token, NaN);
      return;
    }
    const x = parseNumberText(t, this.decimalComma);
    if (x === null) {
      if (this.stated === 'numeric') {
        throw new VardecompError(
          'E_NONNUMERIC',
          `Column "${this.name}" is stated numeric but row ${row} (line ${line}) holds ${JSON.stringify(token)}, not a number ` +
            '(add the token to the missing markers, or read the column as text)',
          { column: this.name, row, line, value: token },
        );
      }
      this.text++;
      this.noteText(token, row);
      this.push(token, NaN);
      return;
    }
    this.numbers++;
    this.push(x, x);
  }

  private noteText(value: string, row: number): void {
    for (const e of this.textTokens) {
      if (e.value === value) {
        e.count++;
        return;
      }
    }
    if (this.textTokens.length < MAX_TEXT_TOKENS) this.textTokens.push({ value, row, count: 1 });
  }

  /** Append a cell: `value` for the general array, `x` for the numeric one. */
  private push(value: unknown, x: number): void {
    if (this.values === null && typeof value === 'string') {
      // First text cell: from here on keep a general array (numbers stay numbers).
      const vals = new Array<unknown>(this.n);
      for (let i = 0; i < this.n; i++) vals[i] = Number.isNaN(this.num[i]) ? null : this.num[i];
      this.values = vals;
      if (this.numbers === 0) {
        // Only missing cells so far: the column may be text, keep its dictionary.
        this.dict = new Map();
        this.keys = new Int32Array(Math.max(1024, 2 * this.n)).fill(-1, 0, this.n);
      }
    }
    if (this.values !== null) {
      if (this.dict !== null) {
        if (typeof value === 'number') {
          this.dict = null; // mixed: no dictionary
          this.keys = null;
        } else {
          let key = -1;
          if (typeof value === 'string') {
            const k = this.dict.get(value);
            if (k === undefined) {
              key = this.words.length;
              this.dict.set(value, key);
              this.words.push(value);
            } else {
              key = k;
              value = this.words[k]; // one string object per distinct value
            }
          }
          if (this.n === this.keys!.length) {
            const grown = new Int32Array(this.keys!.length * 2);
            grown.set(this.keys!);
            this.keys = grown;
          }
          this.keys![this.n] = key;
        }
      }
      this.values.push(value);
    } else {
      if (this.n === this.num.length) {
        const grown = new Float64Array(this.num.length * 2);
        grown.set(this.num);
        this.num = grown;
      }
      this.num[this.n] = x;
    }
    this.n++;
  }

  result(): { values: ArrayLike<unknown>; report: ColumnTypeReport } {
    const type: ColumnTypeReport['type'] =
      this.stated === 'text' ? 'text'
      : this.text > 0 ? (this.numbers > 0 ? 'mixed' : 'text')
      : this.numbers > 0 || this.stated === 'numeric' ? 'numeric'
      : 'empty';
    let values: ArrayLike<unknown> = this.values ?? this.num.slice(0, this.n);
    if (type === 'text' && this.dict !== null && this.values !== null) {
      values = withDictionary(this.values, { keys: this.keys!.slice(0, this.n), dictionary: this.words });
    }
    // The missing cells are null by this reader's markers: the model frame keeps its other strings.
    if (Array.isArray(values)) values = withMissingDecided(values);
    return {
      values,
      report: {
        name: this.name,
        type,
        stated: this.stated !== undefined,
        rows: this.n,
        missing: this.missing,
        missingTokens: Object.fromEntries(this.missingTokens),
        numbers: this.numbers,
        text: this.text,
        textTokens: this.textTokens.map((e) => ({ ...e })),
      },
    };
  }
}

function checkOptions(options: DelimitedTextOptions): { delimiter: number; decimalComma: boolean; na: Set<string> } {
  const delimiter = options.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new VardecompError('E_OPTION', `The delimiter must be one character other than a quote or a line break (got ${JSON.stringify(delimiter)})`, {
      option: 'delimiter',
      value: delimiter,
    });
  }
  const decimal = options.decimal ?? '.';
  if (decimal !== '.' && decimal !== ',') {
    throw new VardecompError('E_OPTION', `The decimal mark must be "." or "," (got ${JSON.stringify(decimal)})`, { option: 'decimal', value: decimal });
  }
  if (decimal === delimiter) {
    throw new VardecompError('E_OPTION', `The decimal mark and the delimiter are both ${JSON.stringify(decimal)}: give another delimiter (e.g. ";")`, {
      option: 'decimal',
      value: decimal,
    });
  }
  const na = new Set((options.na ?? DEFAULT_MISSING_MARKERS).map((s) => String(s).trim()));
  if (options.types !== undefined) {
    for (const [col, t] of Object.entries(options.types)) {
      if (t !== 'numeric' && t !== 'text') {
        throw new VardecompError('E_OPTION', `The type of column "${col}" must be "numeric" or "text" (got ${JSON.stringify(t)})`, {
          option: 'types',
          column: col,
          value: t,
        });
      }
    }
  }
  return { delimiter: delimiter.charCodeAt(0), decimalComma: decimal === ',', na };
}

const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * An incremental reader of delimited text: {@link DelimitedTextReader.push} text chunks as they
 * arrive (chunks may split a row, a quoted field or a CRLF anywhere), then
 * {@link DelimitedTextReader.end}. The first row is the header. Memory is the columns' values
 * plus one partial row.
 *
 * @throws VardecompError `E_INPUT` naming the row and line for a row with more or fewer fields
 *   than the header, an unterminated quote or text after a closing quote, duplicate or missing
 *   column names, and a missing header; `E_NONNUMERIC` for text in a column stated numeric.
 * @example
 * ```ts
 * const reader = new DelimitedTextReader({ delimiter: ';', decimal: ',' });
 * reader.push('y;g\n1,5;a\n');
 * reader.push('2,5;b\n');
 * const { table, columns } = reader.end();
 * ```
 */
export class DelimitedTextReader {
  private readonly delimiter: number;
  private readonly decimalComma: boolean;
  private readonly na: Set<string>;
  private readonly types: Readonly<Record<string, StatedType>>;
  private pending = '';
  private started = false;
  private names: string[] | null = null;
  private builders: ColumnBuilder[] = [];
  private readonly fields: string[] = [];
  /** 1-based line of the start of the next row, and the next data row (0-based). */
  private line = 1;
  private row = 0;

  constructor(options: DelimitedTextOptions = {}) {
    const o = checkOptions(options);
    this.delimiter = o.delimiter;
    this.decimalComma = o.decimalComma;
    this.na = o.na;
    this.types = options.types ?? {};
  }

  /** Read a chunk of text. */
  push(chunk: string): void {
    let text = chunk;
    if (!this.started) {
      if (text.length === 0) return;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      this.started = true;
    }
    this.parse(this.pending.length > 0 ? this.pending + text : text, false);
  }

  /** Finish: parse the last row and build the table. */
  end(): ParsedTable {
    if (this.pending.length > 0) this.parse(this.pending, true);
    if (this.names === null) throw inputError('The input has no header row (it is empty)');
    for (const name of Object.keys(this.types)) {
      if (!this.names.includes(name)) {
        throw new VardecompError('E_COLUMN', `A type is stated for column "${name}", which is not in the header`, { column: name });
      }
    }
    const columns: Record<string, ArrayLike<unknown>> = {};
    const reports: ColumnTypeReport[] = [];
    for (const b of this.builders) {
      const { values, report } = b.result();
      columns[b.name] = values;
      reports.push(report);
    }
    return { table: arqueroTable(columns, this.names), columns: reports };
  }

  /** Parse complete rows of `s`; keep the incomplete tail in `pending` unless `final`. */
  private parse(s: string, final: boolean): void {
    const n = s.length;
    const d = this.delimiter;
    const fields = this.fields;
    let p = 0;
    rows: while (p < n) {
      const rowStart = p;
      let lines = 0;
      fields.length = 0;
      for (;;) {
        // One field starting at p.
        if (p < n && s.charCodeAt(p) === QUOTE) {
          const fieldStart = p;
          let q = p + 1;
          let value = '';
          for (;;) {
            const close = s.indexOf('"', q);
            if (close < 0 || (close + 1 >= n && !final)) {
              if (!final) {
                p = rowStart;
                break rows;
              }
              throw inputError(`Row ${this.row} (line ${this.line}) has a quoted field that is never closed`, { row: this.row, line: this.line });
            }
            value += s.slice(q, close);
            if (s.charCodeAt(close + 1) === QUOTE) {
              value += '"';
              q = close + 2;
              continue;
            }
            p = close + 1;
            break;
          }
          for (let i = fieldStart; i < p; i++) if (s.charCodeAt(i) === LF) lines++;
          fields.push(value);
          const c = p < n ? s.charCodeAt(p) : -1;
          if (c === d) {
            p++;
            continue;
          }
          if (c === LF || c === CR || c === -1) {
            if (!this.endRow(s, p, final)) {
              p = rowStart;
              break rows;
            }
            p = this.afterBreak(s, p);
            break;
          }
          throw inputError(
            `Row ${this.row} (line ${this.line + lines}) has text after the closing quote of field ${fields.length} (${JSON.stringify(s.slice(p, p + 20))})`,
            { row: this.row, line: this.line + lines },
          );
        }
        let i = p;
        let c = -1;
        while (i < n) {
          c = s.charCodeAt(i);
          if (c === d || c === LF || c === CR) break;
          i++;
        }
        if (i >= n) {
          if (!final) {
            p = rowStart;
            break rows;
          }
          c = -1;
        }
        fields.push(s.slice(p, i));
        p = i;
        if (c === d) {
          p++;
          continue;
        }
        if (!this.endRow(s, p, final)) {
          p = rowStart;
          break rows;
        }
        p = this.afterBreak(s, p);
        break;
      }
      this.line += lines + 1;
    }
    this.pending = p < n ? s.slice(p) : '';
  }

  /** A CR at the very end of a chunk may be half of a CRLF: wait for the next chunk. */
  private endRow(s: string, p: number, final: boolean): boolean {
    if (!final && p === s.length - 1 && s.charCodeAt(p) === CR) return false;
    this.takeRow();
    return true;
  }

  private afterBreak(s: string, p: number): number {
    if (p >= s.length) return p;
    if (s.charCodeAt(p) === CR && s.charCodeAt(p + 1) === LF) return p + 2;
    return p + 1;
  }

  private takeRow(): void {
    const fields = this.fields;
    if (this.names === null) {
      this.setHeader(fields);
      return;
    }
    const ncol = this.names.length;
    if (fields.length === 1 && fields[0] === '' && ncol > 1) return; // a blank line
    if (fields.length !== ncol) {
      const what = fields.length > ncol ? 'more' : 'fewer';
      throw inputError(
        `Row ${this.row} (line ${this.line}) has ${fields.length} fields, ${what} than the ${ncol} columns of the header` +
          (fields.length > ncol ? ' (an unquoted delimiter inside a value, such as "1,234.5"?)' : ''),
        { row: this.row, line: this.line, fields: fields.length, columns: ncol },
      );
    }
    for (let j = 0; j < ncol; j++) this.builders[j].add(fields[j], this.line);
    this.row++;
  }

  private setHeader(fields: readonly string[]): void {
    const names = fields.map((f, j) => (f.trim() === '' ? `column${j + 1}` : f.trim()));
    const first = new Map<string, number>();
    names.forEach((name, j) => {
      const k = first.get(name);
      if (k !== undefined) {
        throw inputError(`The header names column "${name}" twice (columns ${k + 1} and ${j + 1}): rename one`, { column: name });
      }
      first.set(name, j);
    });
    this.names = names;
    this.builders = names.map(
      (name) => new ColumnBuilder(name, Object.prototype.hasOwnProperty.call(this.types, name) ? this.types[name] : undefined, this.na, this.decimalComma),
    );
  }
}

/**
 * Parse CSV or TSV text into an arquero table, deciding each column's type from all of its
 * values: see {@link DelimitedTextReader} for the rules and {@link ColumnTypeReport} for what is
 * reported.
 *
 * @example
 * ```ts
 * import { parseTable, fit } from 'vardecomp';
 * const { table, columns } = parseTable('y,x,g\n1.5,NA,a\n2.5,3,b\n', { types: { g: 'text' } });
 * columns.map((c) => `${c.name}: ${c.type}`); // ['y: numeric', 'x: numeric', 'g: text']
 * ```
 */
export function parseTable(text: string, options: DelimitedTextOptions = {}): ParsedTable {
  const reader = new DelimitedTextReader(options);
  reader.push(text);
  return reader.end();
}
