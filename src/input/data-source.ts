/**
 * One view over the three data shapes the library accepts: an arquero table, a column object
 * and an array of row objects. Nothing here copies or mutates the caller's data.
 */
import { VardecompError } from '../errors.js';
import { dictionaryCodesOf, type DictionaryCodes } from './dictionary-codes.js';

/** A read-only column: any array-like of cell values. */
export type ColumnValues = ArrayLike<unknown>;

/** The minimal arquero table surface the library reads. */
export interface TableLike {
  numRows(): number;
  columnNames(): string[];
  array(name: string): ArrayLike<unknown>;
}

/** A column object: column name to an array (or typed array) of values, all the same length. */
export type ColumnObject = Readonly<Record<string, ArrayLike<unknown>>>;

/** Row objects: one plain object per observation. */
export type RowObjects = ReadonlyArray<Readonly<Record<string, unknown>>>;

/** Anything `fit`, `decompose` and friends accept as data. */
export type DataInput = TableLike | ColumnObject | RowObjects;

/** Uniform read access to a data input. */
export interface DataSource {
  readonly kind: 'table' | 'columns' | 'rows';
  readonly nrows: number;
  has(name: string): boolean;
  /** The column's values, in row order (throws `E_COLUMN` if absent). */
  column(name: string): ColumnValues;
  columnNames(): string[];
  /** The column's dictionary encoding when it has one (see `dictionaryCodesOf`), else null. */
  dictionary?(name: string): DictionaryCodes | null;
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/**
 * True for an arquero-like table (duck-typed, so any version or wrapper works).
 *
 * @example
 * ```ts
 * isTableLike(aq.table({ y: [1, 2] })); // true
 * isTableLike([{ y: 1 }]); // false
 * ```
 */
export function isTableLike(x: unknown): x is TableLike {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as TableLike).numRows === 'function' &&
    typeof (x as TableLike).columnNames === 'function' &&
    typeof (x as TableLike).array === 'function'
  );
}

/** Largest row count the engine indexes (Int32Array row indices). */
const MAX_ROWS = 2 ** 31 - 1;

/** An array or typed array (strings, although array-like, are not columns). */
function isArrayLike(x: unknown): x is ArrayLike<unknown> {
  if (Array.isArray(x)) return true;
  if (typeof x !== 'object' || x === null || x instanceof DataView) return false;
  const len = (x as { length?: unknown }).length;
  return typeof len === 'number';
}

/** Objects that are neither a column object nor rows, although `typeof` says "object". */
function isSpecialObject(x: object): boolean {
  return (
    x instanceof Map ||
    x instanceof Set ||
    x instanceof Date ||
    x instanceof RegExp ||
    x instanceof Promise ||
    x instanceof ArrayBuffer ||
    ArrayBuffer.isView(x)
  );
}

function checkRowCount(value: unknown, what: string, column?: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_ROWS) {
    throw new VardecompError(
      'E_INPUT',
      `${what} is ${String(value)}: a row count must be a whole number from 0 to ${MAX_ROWS}`,
      column === undefined ? undefined : { column },
    );
  }
  return value;
}

function missingColumn(name: string, available: string[]): VardecompError {
  const shown = available.slice(0, 20).map((c) => JSON.stringify(c)).join(', ');
  return new VardecompError(
    'E_COLUMN',
    `Column "${name}" is not in the data (columns: ${shown}${available.length > 20 ? ', ...' : ''})`,
    { column: name },
  );
}

/**
 * An arquero table's own column storage when it can be read as is: the table is neither
 * filtered nor ordered and the column is a plain array or typed array of exactly `nrows`
 * values (arquero 8 keeps the arrays given to `table()` / `derive()`). `table.array(name)`
 * copies through a per-row callback instead (about 40 ms per million rows and column, and a
 * boxed copy). An Arrow-backed column (from `fromArrow`) gives its own `toArray()`: the Arrow
 * buffer itself for a numeric column without nulls, one pass otherwise. Filtered or ordered
 * tables return null.
 */
function storedColumn(data: TableLike, name: string, nrows: number): ArrayLike<unknown> | null {
  let col = ownColumn(data, name);
  if (col !== null && typeof col === 'object' && !Array.isArray(col) && typeof (col as { toArray?: unknown }).toArray === 'function') {
    col = (col as { toArray: () => unknown }).toArray();
  }
  const plain = Array.isArray(col) || (ArrayBuffer.isView(col) && !(col instanceof DataView));
  return plain && (col as ArrayLike<unknown>).length === nrows ? (col as ArrayLike<unknown>) : null;
}

/** An unfiltered, unordered table's own column object (arquero's `column(name)`), or null. */
function ownColumn(data: TableLike, name: string): unknown {
  const t = data as TableLike & { column?: unknown; isFiltered?: unknown; isOrdered?: unknown };
  if (typeof t.column !== 'function' || typeof t.isFiltered !== 'function' || typeof t.isOrdered !== 'function') return null;
  if ((t.isFiltered as () => boolean).call(data) || (t.isOrdered as () => boolean).call(data)) return null;
  return (t.column as (n: string) => unknown).call(data, name);
}

/**
 * Wrap a data input for uniform column access.
 *
 * @example
 * ```ts
 * const src = toDataSource([{ y: 1, g: 'a' }, { y: 2, g: 'b' }]);
 * src.nrows; // 2
 * src.column('y'); // [1, 2]
 * ```
 */
export function toDataSource(data: unknown): DataSource {
  if (isTableLike(data)) {
    const rawNames: unknown = data.columnNames();
    if (!Array.isArray(rawNames) || rawNames.some((c) => typeof c !== 'string')) {
      throw new VardecompError('E_INPUT', 'The table\'s columnNames() is not an array of strings');
    }
    const names = rawNames as string[];
    // arquero keeps its columns in a plain object, so a column named "__proto__" is lost when the
    // table is built (the assignment sets the object's prototype instead): refuse to misread it.
    const withData = data as TableLike & { data?: unknown };
    const store: unknown = typeof withData.data === 'function' ? (withData.data as () => unknown).call(data) : null;
    if (names.includes('__proto__') && typeof store === 'object' && store !== null && !hasOwn(store, '__proto__')) {
      throw new VardecompError(
        'E_INPUT',
        'The table lists a column "__proto__" but does not store its values under that name ' +
          '(arquero\'s table() cannot hold a column named "__proto__"): rename the column, or pass a column object or row objects',
        { column: '__proto__' },
      );
    }
    const nrows = checkRowCount(data.numRows(), 'The table\'s numRows()');
    return {
      kind: 'table',
      nrows,
      has: (n) => names.includes(n),
      column: (n) => {
        if (!names.includes(n)) throw missingColumn(n, names);
        const stored = storedColumn(data, n, nrows);
        if (stored) return stored;
        const values: unknown = data.array(n);
        if (!isArrayLike(values) || values.length !== nrows) {
          throw new VardecompError('E_INPUT', `Column "${n}" of the table does not hold ${nrows} values`, { column: n });
        }
        return values;
      },
      columnNames: () => names.slice(),
      dictionary: (n) => {
        if (!names.includes(n)) return null;
        const codes = dictionaryCodesOf(ownColumn(data, n));
        return codes && codes.keys.length === nrows ? codes : null;
      },
    };
  }
  if (Array.isArray(data)) {
    const rows = data as RowObjects;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (typeof r !== 'object' || r === null || Array.isArray(r)) {
        throw new VardecompError('E_INPUT', `Row ${i} is not an object (got ${r === null ? 'null' : typeof r})`, {
          row: i,
        });
      }
    }
    const seen = new Set<string>();
    for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
    const names = [...seen];
    return {
      kind: 'rows',
      nrows: rows.length,
      has: (n) => seen.has(n),
      column: (n) => {
        if (!seen.has(n)) throw missingColumn(n, names);
        const out = new Array<unknown>(rows.length);
        for (let i = 0; i < rows.length; i++) out[i] = hasOwn(rows[i], n) ? rows[i][n] : undefined;
        return out;
      },
      columnNames: () => names.slice(),
      dictionary: () => null,
    };
  }
  if (typeof data === 'object' && data !== null && !isSpecialObject(data)) {
    const cols = data as ColumnObject;
    const names = Object.keys(cols);
    let nrows = -1;
    for (const n of names) {
      const c: unknown = cols[n];
      if (!isArrayLike(c)) {
        throw new VardecompError('E_INPUT', `Column "${n}" is not an array`, { column: n });
      }
      const len = checkRowCount(c.length, `Column "${n}"'s length`, n);
      if (nrows === -1) nrows = len;
      else if (len !== nrows) {
        throw new VardecompError(
          'E_INPUT',
          `Column "${n}" has ${len} values but column "${names[0]}" has ${nrows}`,
          { column: n },
        );
      }
    }
    return {
      kind: 'columns',
      nrows: Math.max(nrows, 0),
      has: (n) => hasOwn(cols, n),
      column: (n) => {
        if (!hasOwn(cols, n)) throw missingColumn(n, names);
        return cols[n];
      },
      columnNames: () => names.slice(),
      dictionary: (n) => (hasOwn(cols, n) ? dictionaryCodesOf(cols[n]) : null),
    };
  }
  const got = data === null ? 'null' : typeof data === 'object' ? Object.prototype.toString.call(data) : typeof data;
  throw new VardecompError(
    'E_INPUT',
    `Data must be an arquero table, a column object or an array of row objects (got ${got})`,
  );
}
