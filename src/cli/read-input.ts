/**
 * Read the CLI's input table with arquero's loaders: CSV, TSV, JSON (rows, columns or NDJSON)
 * and Apache Arrow IPC, from a file or from stdin.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fromArrow, fromCSV, fromJSON, loadArrow, loadCSV, loadJSON } from 'arquero';
import type { ColumnTable } from 'arquero';
import { VardecompError } from '../errors.js';
import type { CliIo } from './cli-io.js';

/**
 * The input formats the CLI reads.
 *
 * @example
 * ```ts
 * const format: InputFormat = 'tsv'; // --input-format tsv
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
 * The format a file name implies (a trailing `.gz` is ignored); `null` when it does not say.
 *
 * @example
 * ```ts
 * formatFromName('panel.tsv'); // "tsv"
 * formatFromName('panel.csv.gz'); // "csv"
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
  const v = value.toLowerCase();
  if (!(INPUT_FORMATS as readonly string[]).includes(v)) {
    throw new VardecompError('E_OPTION', `Option "--input-format" must be one of ${INPUT_FORMATS.join(', ')} (got "${value}")`, {
      option: 'input-format',
      value,
    });
  }
  return v as InputFormat;
}

async function readAll(stream: AsyncIterable<string | Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function fromBytes(bytes: Buffer, format: InputFormat): ColumnTable {
  switch (format) {
    case 'arrow':
      return fromArrow(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    case 'json':
      return fromJSON(bytes.toString('utf8'));
    case 'ndjson':
      return fromJSON(bytes.toString('utf8'), { type: 'ndjson' });
    case 'tsv':
      return fromCSV(bytes.toString('utf8'), { delimiter: '\t' });
    case 'csv':
      return fromCSV(bytes.toString('utf8'));
  }
}

/** Make file-system errors one readable line. */
function describeIoError(error: unknown, file: string): Error {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'ENOENT') return new Error(`cannot read "${file}": no such file`);
  if (code === 'EACCES') return new Error(`cannot read "${file}": permission denied`);
  if (code === 'EISDIR') return new Error(`cannot read "${file}": it is a directory`);
  return new Error(`cannot read "${file}": ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * Read the input table: from `file`, or from stdin when `file` is missing or `-`. The format is
 * `format` when given, else implied by the file name, else CSV.
 *
 * @throws VardecompError `E_INPUT` when there is no file and stdin is a terminal; `Error` with a
 *   one-line message when the file cannot be read or parsed.
 * @example
 * ```ts
 * const panel = await readTable('panel.csv', undefined, processIo());
 * ```
 */
export async function readTable(file: string | undefined, format: InputFormat | undefined, io: CliIo): Promise<ColumnTable> {
  if (file === undefined || file === '-') {
    const stdin = io.stdin;
    if (!stdin || stdin.isTTY) {
      throw new VardecompError('E_INPUT', 'No input: give a data file or pipe one on stdin (e.g. vardecomp simulate | vardecomp fit -f "y ~ x + (1|unit)")');
    }
    const bytes = await readAll(stdin);
    if (bytes.length === 0) throw new VardecompError('E_INPUT', 'No input: stdin was empty');
    try {
      return fromBytes(bytes, format ?? 'csv');
    } catch (e) {
      throw new VardecompError('E_INPUT', `cannot parse stdin as ${format ?? 'csv'}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const path = resolve(io.cwd ?? process.cwd(), file);
  const f = format ?? formatFromName(file) ?? 'csv';
  const size = await stat(path).then((st) => (st.isFile() ? st.size : -1), () => -1);
  if (size === 0) throw new VardecompError('E_INPUT', `"${file}" is empty`);
  try {
    switch (f) {
      case 'arrow':
        return await loadArrow(path);
      case 'json':
        return await loadJSON(path);
      case 'ndjson':
        return await loadJSON(path, { type: 'ndjson' });
      case 'tsv':
        return await loadCSV(path, { delimiter: '\t' });
      case 'csv':
        return await loadCSV(path);
    }
  } catch (e) {
    if (e instanceof VardecompError) throw e;
    if (typeof (e as { code?: unknown } | null)?.code === 'string') throw describeIoError(e, file);
    throw new VardecompError('E_INPUT', `cannot parse "${file}" as ${f}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
