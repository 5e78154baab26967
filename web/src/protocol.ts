/**
 * Messages between the page and its worker. The worker holds the data, fits and bootstraps;
 * the page only draws. Everything stays in the browser.
 */

/** What the page asks of the model (the formula is the one shown on the page). */
export interface ModelRequest {
  readonly formula: string;
  readonly reml: boolean;
  /** A weights column, or undefined. */
  readonly weights?: string;
  /** Keep rows whose `periodColumn` lies in [periodFrom, periodTo] (numeric periods). */
  readonly periodColumn?: string;
  readonly periodFrom?: number;
  readonly periodTo?: number;
}

export interface IntervalRequest {
  readonly n: number;
  readonly seed: number;
  readonly level: number;
}

export type ToWorker =
  | { kind: 'load-text'; name: string; text: string; delimiter?: string; decimal?: '.' | ','; na?: string[] }
  | { kind: 'load-arrow'; name: string; bytes: ArrayBuffer }
  | { kind: 'load-england'; url: string }
  | { kind: 'check'; id: number; model: ModelRequest }
  | { kind: 'run'; id: number; model: ModelRequest; intervals: IntervalRequest | null };

/** One column as the reader typed it. */
export interface ColumnInfo {
  readonly name: string;
  readonly type: 'numeric' | 'text' | 'mixed' | 'empty';
  readonly missing: number;
  readonly missingTokens: Readonly<Record<string, number>>;
  /** A few text cells that made a column text or mixed: value, first row, count. */
  readonly textTokens: ReadonlyArray<{ readonly value: string; readonly row: number; readonly count: number }>;
  /** Distinct values (capped at 1,000, for pickers). */
  readonly distinct: number;
  readonly min?: number;
  readonly max?: number;
}

/** A VardecompError (or another error) as the page shows it. */
export interface ErrorInfo {
  readonly code: string;
  readonly message: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** A row the model will drop, and the model columns missing in it. */
export interface DroppedRow {
  /** 1-based data row (the header is not counted), as a spreadsheet user counts rows after it. */
  readonly row: number;
  readonly columns: readonly string[];
}

export interface ResultRow {
  readonly key: string;
  readonly label: string;
  readonly kind: string;
  readonly shares: Readonly<Record<string, number>>;
  readonly lower?: Readonly<Record<string, number>>;
  readonly upper?: Readonly<Record<string, number>>;
}

export type FromWorker =
  | { kind: 'loaded'; name: string; nrows: number; columns: ColumnInfo[] }
  | { kind: 'load-error'; error: ErrorInfo }
  | {
      kind: 'checked';
      id: number;
      nrows: number;
      nobs: number;
      nDropped: number;
      dropped: DroppedRow[];
      droppedNote: string | null;
      formula: string;
    }
  | { kind: 'progress'; id: number; done: number; total: number; stage: string }
  | {
      kind: 'result';
      id: number;
      methods: string[];
      rows: ResultRow[];
      level: number | null;
      intervalKinds: Record<string, string>;
      text: string;
      markdown: string;
      csv: string;
      vegaLite: unknown;
      summary: string;
      seconds: number;
    }
  | { kind: 'model-error'; id: number; error: ErrorInfo };
