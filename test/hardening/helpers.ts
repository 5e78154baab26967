/**
 * Shared helpers of the hardening tests: small seeded panels and error assertions.
 */
import { expect } from 'vitest';
import { VardecompError, type VardecompErrorCode } from '../../src/errors.js';
import { Rng } from '../../src/random/index.js';

export type PanelRow = {
  y: number | null;
  x: number | null;
  unit: string;
  period: number;
  region: string;
};

export interface PanelSpec {
  units?: number;
  periods?: number;
  seed?: number;
  /** Probability that a cell of y or x is missing. */
  missing?: number;
  /** sd of unit, period effects and residual. */
  sdUnit?: number;
  sdPeriod?: number;
  sdResidual?: number;
}

/** A unit x period panel as row objects: y = 1 + 0.5 x + u + v + e, region fixed within unit. */
export function panelRows(spec: PanelSpec = {}): PanelRow[] {
  const { units = 12, periods = 5, seed = 1, missing = 0, sdUnit = 1, sdPeriod = 0.5, sdResidual = 0.7 } = spec;
  const rng = new Rng(seed);
  const u = Array.from({ length: units }, () => sdUnit * rng.normal());
  const v = Array.from({ length: periods }, () => sdPeriod * rng.normal());
  const rows: PanelRow[] = [];
  for (let i = 0; i < units; i++) {
    for (let t = 0; t < periods; t++) {
      const x = rng.normal() + 0.3 * u[i];
      const y = 1 + 0.5 * x + u[i] + v[t] + sdResidual * rng.normal();
      rows.push({
        y: rng.uniform() < missing ? null : y,
        x: rng.uniform() < missing ? null : x,
        unit: `U${String(i).padStart(3, '0')}`,
        period: 2000 + t,
        region: `R${i % 3}`,
      });
    }
  }
  return rows;
}

/** Row objects to a column object. */
export function toColumns<T extends object>(rows: readonly T[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const r of rows) for (const k of Object.keys(r)) if (!(k in out)) out[k] = [];
  for (const k of Object.keys(out)) out[k] = rows.map((r) => (r as Record<string, unknown>)[k]);
  return out;
}

/** Run `f`, expect a VardecompError with `code`, and return it. */
export function expectError(f: () => unknown, code: VardecompErrorCode): VardecompError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${code} to be thrown`).toBeInstanceOf(VardecompError);
  const err = caught as VardecompError;
  expect(err.code, err.message).toBe(code);
  expect(err.name).toBe('VardecompError');
  return err;
}

/** Relative difference, with an absolute floor of 1. */
export const relDiff = (a: number, b: number, floor = 1): number => Math.abs(a - b) / Math.max(floor, Math.abs(a), Math.abs(b));

/** Deep snapshot that keeps typed arrays and NaN distinguishable (for mutation checks). */
export function snapshot(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) return `#${String(v)}`;
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return { typed: v.constructor.name, values: Array.from(v as unknown as ArrayLike<number>) };
    if (v === undefined) return '#undefined';
    return v;
  });
}

/** Deep-freeze plain objects and arrays (typed arrays cannot be frozen and are left as they are). */
export function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null && !ArrayBuffer.isView(x)) {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}
