/**
 * The page's worker: reads the data, checks the model (a fit without intervals, to report the
 * rows it drops), then runs `compare` with intervals, posting progress per replicate.
 * Cancelling terminates the worker; the page starts a fresh one and reloads the data.
 */
import { compare, fit, parseFormula, parseTable, VardecompError, type ColumnObject } from 'vardecomp';
import { ENGLAND_PANEL_COLUMNS, parseEnglandPanel } from 'vardecomp/data';
import { fromArrow } from 'arquero';
import type { ColumnInfo, DroppedRow, ErrorInfo, FromWorker, ModelRequest, ToWorker } from './protocol.js';

interface Loaded {
  readonly names: string[];
  readonly columns: Record<string, ArrayLike<unknown>>;
  readonly nrows: number;
}

let data: Loaded | null = null;
const post = (m: FromWorker): void => (self as unknown as { postMessage(m: FromWorker): void }).postMessage(m);

function errorInfo(e: unknown): ErrorInfo {
  if (e instanceof VardecompError) return { code: e.code, message: e.message, detail: e.detail ? { ...e.detail } : undefined };
  return { code: 'ERROR', message: e instanceof Error ? e.message : String(e) };
}

interface TableLike {
  columnNames(): string[];
  array(name: string): ArrayLike<unknown>;
  numRows(): number;
}

function fromTable(t: TableLike): Loaded {
  const names = t.columnNames();
  const columns: Record<string, ArrayLike<unknown>> = {};
  for (const n of names) columns[n] = t.array(n);
  return { names, columns, nrows: t.numRows() };
}

function describe(values: ArrayLike<unknown>): Pick<ColumnInfo, 'distinct' | 'min' | 'max'> {
  const seen = new Set<unknown>();
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (seen.size < 1000) seen.add(v);
    if (typeof v === 'number' && Number.isFinite(v)) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  seen.delete(null);
  seen.delete(undefined);
  return { distinct: seen.size, ...(min <= max ? { min, max } : {}) };
}

function loadText(m: Extract<ToWorker, { kind: 'load-text' }>): void {
  const parsed = parseTable(m.text, {
    ...(m.delimiter ? { delimiter: m.delimiter } : {}),
    ...(m.decimal ? { decimal: m.decimal } : {}),
    ...(m.na ? { na: m.na } : {}),
  });
  data = fromTable(parsed.table as unknown as TableLike);
  const columns: ColumnInfo[] = parsed.columns.map((c) => ({
    name: c.name,
    type: c.type,
    missing: c.missing,
    missingTokens: c.missingTokens,
    textTokens: c.textTokens,
    ...describe(data!.columns[c.name]),
  }));
  post({ kind: 'loaded', name: m.name, nrows: data.nrows, columns });
}

/** A column's type read from its values (Arrow columns carry their own types). */
function valueType(v: ArrayLike<unknown>): ColumnInfo['type'] {
  let numbers = 0;
  let other = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x === null || x === undefined) continue;
    if (typeof x === 'number') numbers++;
    else other++;
  }
  return numbers === 0 && other === 0 ? 'empty' : other === 0 ? 'numeric' : numbers === 0 ? 'text' : 'mixed';
}

function loadArrow(name: string, bytes: ArrayBuffer): void {
  data = fromTable(fromArrow(new Uint8Array(bytes)) as unknown as TableLike);
  post({ kind: 'loaded', name, nrows: data.nrows, columns: typedColumns((n) => valueType(data!.columns[n])) });
}

function typedColumns(typeOf: (name: string) => ColumnInfo['type']): ColumnInfo[] {
  return data!.names.map((name) => {
    const v = data!.columns[name];
    let missing = 0;
    for (let i = 0; i < v.length; i++) if (v[i] === null || v[i] === undefined) missing++;
    return {
      name,
      type: typeOf(name),
      missing,
      missingTokens: (missing > 0 ? { '': missing } : {}) as Record<string, number>,
      textTokens: [],
      ...describe(v),
    };
  });
}

async function loadEngland(url: string): Promise<void> {
  const response = await fetch(url);
  if (!response.ok) throw new VardecompError('E_INPUT', `The England panel could not be read from ${url} (HTTP ${response.status})`);
  data = fromTable(parseEnglandPanel(await response.text()) as unknown as TableLike);
  const types = new Map<string, string>(ENGLAND_PANEL_COLUMNS.map((c) => [c.name, c.type]));
  post({ kind: 'loaded', name: 'England panel (embedded)', nrows: data.nrows, columns: typedColumns((n) => (types.get(n) === 'number' ? 'numeric' : 'text')) });
}

/** The loaded columns, restricted to the chosen periods. Returns the kept row numbers too. */
function modelData(model: ModelRequest): { input: ColumnObject; rows: number[] } {
  if (!data) throw new VardecompError('E_INPUT', 'No data loaded: choose a file or the England panel');
  const { periodColumn: p, periodFrom: from, periodTo: to } = model;
  let rows: number[] = Array.from({ length: data.nrows }, (_, i) => i);
  if (p !== undefined && (from !== undefined || to !== undefined)) {
    const v = data.columns[p];
    if (!v) throw new VardecompError('E_COLUMN', `Column "${p}" not found`, { column: p });
    rows = rows.filter((i) => {
      const x = v[i];
      return typeof x === 'number' && (from === undefined || x >= from) && (to === undefined || x <= to);
    });
    if (rows.length === 0) {
      throw new VardecompError('E_EMPTY', `No rows have ${p} between ${from ?? '-Inf'} and ${to ?? 'Inf'}`, { column: p, option: 'period' });
    }
  }
  const input: Record<string, unknown[]> = {};
  for (const n of data.names) {
    const v = data.columns[n];
    input[n] = rows.map((i) => v[i]);
  }
  return { input: input as ColumnObject, rows };
}

/** The data columns a formula reads (outcome, terms, functions' arguments, slopes, offsets). */
function formulaColumns(formula: string, weights?: string): string[] {
  const spec = parseFormula(formula);
  const derived = new Map((spec.derived ?? []).map((d) => [d.label, d.columns]));
  const out = new Set<string>([spec.outcome]);
  for (const t of spec.fixed) for (const v of t.variables) for (const c of derived.get(v) ?? [v]) out.add(c);
  for (const r of spec.random) {
    for (const v of r.variables) out.add(v);
    for (const c of r.columns) if (c !== '(Intercept)') for (const d of derived.get(c) ?? [c]) out.add(d);
  }
  for (const o of spec.offsets ?? []) for (const c of o.columns) out.add(c);
  if (weights) out.add(weights);
  return [...out];
}

const isMissingCell = (v: unknown): boolean =>
  v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)) || (typeof v === 'string' && v.trim() === '');

function check(id: number, model: ModelRequest): void {
  const { input, rows } = modelData(model);
  const m = fit(input, model.formula, { reml: model.reml, ...(model.weights ? { weights: model.weights } : {}) });
  const cols = formulaColumns(model.formula, model.weights);
  const dropped: DroppedRow[] = [];
  for (let k = 0; k < rows.length; k++) {
    const missing = cols.filter((c) => input[c] !== undefined && isMissingCell((input[c] as ArrayLike<unknown>)[k]));
    if (missing.length > 0) dropped.push({ row: rows[k] + 1, columns: missing });
  }
  const note = m.diagnostics.find((d) => d.code === 'DROPPED_ROWS')?.message ?? null;
  post({
    kind: 'checked',
    id,
    nrows: rows.length,
    nobs: m.nobs,
    nDropped: m.nDropped,
    // Listed only when the page's reading of "missing" agrees with the library's count.
    dropped: dropped.length === m.nDropped ? dropped : [],
    droppedNote: note,
    formula: parseFormula(model.formula).text,
  });
}

function run(id: number, model: ModelRequest, intervals: { n: number; seed: number; level: number } | null): void {
  const t0 = performance.now();
  const { input } = modelData(model);
  const fitOptions = { reml: model.reml, ...(model.weights ? { weights: model.weights } : {}) };
  const m = fit(input, model.formula, fitOptions);
  post({ kind: 'progress', id, done: 0, total: intervals?.n ?? 0, stage: 'fitted' });
  let last = 0;
  const c = compare(m, {
    ...(intervals
      ? {
          intervals: {
            n: intervals.n,
            seed: intervals.seed,
            level: intervals.level,
            onProgress: (done: number, total: number) => {
              const now = performance.now();
              if (done === total || now - last > 100) {
                last = now;
                post({ kind: 'progress', id, done, total, stage: 'bootstrap' });
              }
            },
          },
        }
      : {}),
  });
  const intervalKinds: Record<string, string> = {};
  for (const method of c.methods) {
    const k = c.decompositions[method]?.intervals?.kind;
    if (k) intervalKinds[method] = k;
  }
  post({
    kind: 'result',
    id,
    methods: [...c.methods],
    rows: c.rows.map((r) => ({ key: r.key, label: r.label, kind: r.kind, shares: r.shares, lower: r.lower, upper: r.upper })),
    level: c.decompositions[c.methods[0]]?.intervals?.level ?? null,
    intervalKinds,
    text: c.format(),
    markdown: c.toMarkdown({ caption: true }),
    csv: c.toTable().toCSV(),
    vegaLite: c.toVegaLite({ width: 560 }),
    summary: m.summary(),
    seconds: (performance.now() - t0) / 1000,
  });
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  try {
    if (m.kind === 'load-text') loadText(m);
    else if (m.kind === 'load-arrow') loadArrow(m.name, m.bytes);
    else if (m.kind === 'load-england') await loadEngland(m.url);
  } catch (e) {
    post({ kind: 'load-error', error: errorInfo(e) });
    return;
  }
  try {
    if (m.kind === 'check') check(m.id, m.model);
    else if (m.kind === 'run') run(m.id, m.model, m.intervals);
  } catch (e) {
    post({ kind: 'model-error', id: (m as { id: number }).id, error: errorInfo(e) });
  }
};
