/**
 * Dictionary-encoded columns: integer keys into a list of distinct values. A factor is encoded
 * from the keys (one array read per row, no hashing of strings) when a column comes with them:
 * arquero's dictionary columns (Arrow dictionary vectors read by `fromArrow`, whose keys arquero
 * takes from the Arrow buffers) and the text columns of the library's own reader.
 */

/**
 * Keys into a dictionary: `keys[i]` is the index in `dictionary` of row i's value (a null value
 * may have a key of its own whose dictionary entry is null).
 *
 * @example
 * ```ts
 * const codes: DictionaryCodes = { keys: Int32Array.of(0, 1, 0), dictionary: ['a', 'b'] };
 * ```
 */
export interface DictionaryCodes {
  readonly keys: ArrayLike<number>;
  readonly dictionary: readonly unknown[];
}

/** Frozen value arrays (made by the reader) and their keys. */
const registry = new WeakMap<object, DictionaryCodes>();

/**
 * Record the dictionary encoding of a value array and freeze the array, so that the encoding can
 * never go stale. `values[i]` must equal `dictionary[keys[i]]` (a negative key for null).
 *
 * @example
 * ```ts
 * const values = ['a', 'b', 'a'];
 * withDictionary(values, { keys: Int32Array.of(0, 1, 0), dictionary: ['a', 'b'] });
 * dictionaryCodesOf(values)?.keys; // Int32Array [0, 1, 0]
 * ```
 */
export function withDictionary<T extends unknown[]>(values: T, codes: DictionaryCodes): Readonly<T> {
  Object.freeze(values);
  registry.set(values, codes);
  return values;
}

interface ArqueroDictionaryColumn {
  readonly length: number;
  key(row: number): number;
  groups(names: string[]): { keys: ArrayLike<number>; get: Array<(row: number) => unknown>; size: number };
}

function isArqueroDictionary(col: unknown): col is ArqueroDictionaryColumn {
  return (
    typeof col === 'object' &&
    col !== null &&
    typeof (col as ArqueroDictionaryColumn).key === 'function' &&
    typeof (col as ArqueroDictionaryColumn).groups === 'function' &&
    typeof (col as ArqueroDictionaryColumn).length === 'number'
  );
}

/**
 * The dictionary encoding of a column, when it has one: a frozen array made by the library's
 * reader, or an arquero dictionary column (from an Arrow dictionary vector). Null otherwise.
 *
 * @example
 * ```ts
 * const t = aq.fromArrow(ipcBytes);
 * dictionaryCodesOf(t.column('school'))?.dictionary; // the distinct school names
 * ```
 */
export function dictionaryCodesOf(col: unknown): DictionaryCodes | null {
  if (typeof col !== 'object' || col === null) return null;
  const known = registry.get(col);
  if (known) return known;
  if (!isArqueroDictionary(col)) return null;
  const g = col.groups(['column']);
  if (!g || typeof g.size !== 'number' || !g.keys || g.keys.length !== col.length || typeof g.get?.[0] !== 'function') return null;
  const dictionary = new Array<unknown>(g.size);
  for (let k = 0; k < g.size; k++) dictionary[k] = g.get[0](k);
  return { keys: g.keys, dictionary };
}
