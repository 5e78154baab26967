/**
 * Reading data files in Node: CSV and TSV streamed through the core's delimited-text reader (so a
 * file of any size is read in one pass without holding its text), JSON and NDJSON (with line
 * numbers in errors), and Apache Arrow IPC.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { from as arqueroFrom, fromArrow, fromJSON } from 'arquero';
import type { ColumnTable } from 'arquero';
import { VardecompError } from '../errors.js';
import { isMissing } from '../input/model-frame.js';
import {
  DelimitedTextReader,
  type ColumnTypeReport,
  type DelimitedTextOptions,
  type ParsedTable,
} from '../input/delimited-text.js';

/**
 * Text or bytes arriving in chunks: a Node readable (stdin, a file stream), an async generator
 * or an array of chunks.
 *
 * @example
 * ```ts
 * const source: ByteSource = ['y,g\n', '1,a\n'];
 * ```
 */
export type ByteSource = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/**
 * The file formats {@link readTable} reads.
 *
 * @example
 * ```ts
 * const format: InputFormat = 'tsv';
 * ```
 */
export type InputFormat = 'csv' | 'tsv' | 'json' | 'ndjson' | 'arrow';

/**
 * Input formats, for option validation and help.
 *
 * @example
 * ```ts
 * INPUT_FORMATS.includes('arrow'); // true
 * ```
 */
export const INPUT_FORMATS: readonly InputFormat[] = ['csv', 'tsv', 'json', 'ndjson', 'arrow'];

/**
 * Options of {@link readTable}: the format (default: from the file name, else CSV) and, for CSV
 * and TSV, the {@link DelimitedTextOptions} (delimiter, decimal mark, missing markers, types).
 *
 * @example
 * ```ts
 * const options: ReadTableOptions = { format: 'csv', delimiter: ';', decimal: ',', na: ['NA', '-'] };
 * ```
 */
export interface ReadTableOptions extends DelimitedTextOptions {
  readonly format?: InputFormat;
  /** The name used in error messages (default: the path, or "stdin"). */
  readonly name?: string;
}

/**
 * The format a file name implies (a trailing `.gz` is ignored); `null` when it does not say.
 *
 * @example
 * ```ts
 * formatFromName('panel.tsv'); // "tsv"
 * formatFromName('panel.dat'); // null
 * ```
 */
export function formatFromName(file: string): InputFormat | null {
  const f = file.toLowerCase().replace(/\.(gz|gzip)$/, '');
  if (f.endsWith('.csv')) return 'csv';
  if (f.endsWith('.tsv') || f.endsWith('.tab')) return 'tsv';
  if (f.endsWith('.ndjson') || f.endsWith('.jsonl')) return 'ndjson';
  if (f.endsWith('.json')) return 'json';
  if (f.endsWith('.arrow') || f.endsWith('.feather') || f.endsWith('.ipc')) return 'arrow';
  return null;
}

/** File-system errors as one readable `E_INPUT` line. */
function ioError(error: unknown, name: string): VardecompError {
  const code = (error as { code?: string } | null)?.code;
  const why =
    code === 'ENOENT' ? 'no such file'
    : code === 'EACCES' ? 'permission denied'
    : code === 'EISDIR' ? 'it is a directory'
    : error instanceof Error ? error.message
    : String(error);
  return new VardecompError('E_INPUT', `cannot read "${name}": ${why}`, { file: name });
}

function emptyError(name: string): VardecompError {
  return new VardecompError('E_INPUT', `"${name}" is empty`, { file: name });
}

/** The type report of a table not read from text (JSON, Arrow): counts of numbers, text and missing cells. */
function reportOf(table: ColumnTable): ColumnTypeReport[] {
  return table.columnNames().map((name) => {
    const values = table.array(name) as ArrayLike<unknown>;
    let missing = 0;
    let numbers = 0;
    let text = 0;
    const textTokens: Array<{ value: string; row: number; count: number }> = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (isMissing(v)) missing++;
      else if (typeof v === 'number') numbers++;
      else {
        text++;
        const s = String(v);
        const e = textTokens.find((t) => t.value === s);
        if (e) e.count++;
        else if (textTokens.length < 5) textTokens.push({ value: s, row: i, count: 1 });
      }
    }
    const type = text > 0 ? (numbers > 0 ? 'mixed' : 'text') : numbers > 0 ? 'numeric' : 'empty';
    return { name, type, stated: false, rows: values.length, missing, missingTokens: {}, numbers, text, textTokens };
  });
}

async function* textChunks(stream: ByteSource): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of stream) {
    const s = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (s.length > 0) yield s;
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield rest;
}

async function readDelimited(stream: ByteSource, options: ReadTableOptions, format: 'csv' | 'tsv', name: string): Promise<ParsedTable> {
  const reader = new DelimitedTextReader({ ...options, delimiter: options.delimiter ?? (format === 'tsv' ? '\t' : ',') });
  let any = false;
  try {
    for await (const text of textChunks(stream)) {
      any = true;
      reader.push(text);
    }
  } catch (e) {
    throw named(e, name);
  }
  if (!any) throw emptyError(name);
  try {
    return reader.end();
  } catch (e) {
    throw named(e, name);
  }
}

/** Prefix the input's name to a reader's `E_INPUT` message. */
function named(e: unknown, name: string): unknown {
  return e instanceof VardecompError && e.code === 'E_INPUT' ? new VardecompError('E_INPUT', `"${name}": ${e.message}`, { ...e.detail, file: name }) : e;
}

async function readNdjson(stream: ByteSource, name: string): Promise<ParsedTable> {
  const rows: Record<string, unknown>[] = [];
  let line = 0;
  let tail = '';
  let any = false;
  const take = (text: string): void => {
    line++;
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new VardecompError('E_INPUT', `"${name}" line ${line} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, { file: name, line });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new VardecompError('E_INPUT', `"${name}" line ${line} is not a JSON object (one row per line)`, { file: name, line });
    }
    rows.push(value as Record<string, unknown>);
  };
  for await (const text of textChunks(stream)) {
    any = true;
    const parts = (tail + text).split('\n');
    tail = parts.pop()!;
    for (const p of parts) take(p);
  }
  if (tail !== '') take(tail);
  if (!any || rows.length === 0) throw emptyError(name);
  const table = arqueroFrom(rows);
  return { table, columns: reportOf(table) };
}

async function collect(stream: ByteSource): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const c of stream) {
    const b = typeof c === 'string' ? new TextEncoder().encode(c) : c;
    chunks.push(b);
    size += b.length;
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * Read a table from a stream of text or bytes (stdin, a socket, a file stream). CSV, TSV and
 * NDJSON are read as they arrive; JSON and Arrow need the whole input.
 *
 * @throws VardecompError `E_INPUT` for empty or unparsable input (naming the row and line),
 *   `E_NONNUMERIC` for text in a column stated numeric.
 * @example
 * ```ts
 * import { readTableFrom } from 'vardecomp/node';
 * const { table, columns } = await readTableFrom(process.stdin, { format: 'csv' });
 * ```
 */
export async function readTableFrom(stream: ByteSource, options: ReadTableOptions = {}): Promise<ParsedTable> {
  const format = options.format ?? 'csv';
  const name = options.name ?? 'stdin';
  if (!INPUT_FORMATS.includes(format)) {
    throw new VardecompError('E_OPTION', `The format must be one of ${INPUT_FORMATS.join(', ')} (got ${JSON.stringify(format)})`, { option: 'format' });
  }
  if (format === 'csv' || format === 'tsv') return readDelimited(stream, options, format, name);
  if (format === 'ndjson') return readNdjson(stream, name);
  const bytes = await collect(stream);
  if (bytes.length === 0) throw emptyError(name);
  let table: ColumnTable;
  try {
    table = format === 'arrow' ? fromArrow(bytes) : fromJSON(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new VardecompError('E_INPUT', `cannot parse "${name}" as ${format}: ${e instanceof Error ? e.message : String(e)}`, { file: name });
  }
  return { table, columns: reportOf(table) };
}

/**
 * Read a data file into an arquero table with each column's type report: CSV and TSV (streamed;
 * missing markers `NA`, `N/A`, `NaN`, `null`, `.`, `#N/A` and blank cells; a UTF-8 BOM; CRLF;
 * quoted fields; `delimiter` and `decimal` for European files; types from all of a column's
 * values, or stated with `types`), JSON (rows or columns), NDJSON and Arrow IPC. The format
 * comes from `options.format`, else the file name, else CSV.
 *
 * @throws VardecompError `E_INPUT` for a missing, empty or unparsable file (naming the row and
 *   line), `E_NONNUMERIC` for text in a column stated numeric.
 * @example
 * ```ts
 * import { fit } from 'vardecomp';
 * import { readTable } from 'vardecomp/node';
 * const { table, columns } = await readTable('england.csv');
 * columns.filter((c) => c.type !== 'numeric'); // what was read as text, and why
 * const m = fit(table, 's47_rate ~ imd2019_avg_score + (1|la_code) + (1|year)');
 * ```
 */
export async function readTable(path: string, options: ReadTableOptions = {}): Promise<ParsedTable> {
  const name = options.name ?? path;
  const format = options.format ?? formatFromName(path) ?? 'csv';
  if (format === 'json' || format === 'arrow') {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw ioError(e, name);
    }
    return readTableFrom([bytes], { ...options, format, name });
  }
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (e) {
    throw ioError(e, name);
  }
  try {
    return await readTableFrom(stream, { ...options, format, name });
  } catch (e) {
    if (e instanceof VardecompError) throw e;
    throw ioError(e, name);
  } finally {
    stream.destroy();
  }
}
