// Smoke test of the built package, imported by name as a user would (ESM and CJS).
// Run after `npm run build`: node scripts/smoke-dist.mjs
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const esm = await import('vardecomp');
const cjs = createRequire(import.meta.url)('vardecomp');
for (const [kind, lib] of [['esm', esm], ['cjs', cjs]]) {
  const panel = lib.naoPanel({ seed: 1, exact: true });
  const d = lib.decompose(panel, 'rate ~ deprivation + (1|la) + (1|year)');
  assert.ok(Math.abs(d.shares.la - 0.44) < 1e-6, `${kind}: local share`);
  assert.throws(() => lib.fit(panel, 'rate ~ nope + (1|la)'), (e) => e instanceof lib.VardecompError && e.code === 'E_COLUMN');
  console.log(`${kind}: ok (local ${(100 * d.shares.la).toFixed(1)}%)`);
}
const data = await import('vardecomp/data');
const england = await data.loadEnglandPanel({ years: [2013, 2018] });
assert.equal(england.numRows(), 900);
console.log('vardecomp/data: ok (900 rows, 2013-2018)');

// The browser condition of vardecomp/data, bundled by name for the browser platform: no Node import.
const { build } = await import('esbuild');
const bundled = await build({
  stdin: { contents: "export { parseEnglandPanel, ENGLAND_PANEL_COLUMNS } from 'vardecomp/data'; export { decompose } from 'vardecomp';", resolveDir: process.cwd() },
  bundle: true,
  platform: 'browser',
  format: 'esm',
  write: false,
  logLevel: 'silent',
  external: ['vega', 'vega-lite'],
});
assert.ok(!/["']node:/.test(bundled.outputFiles[0].text), 'browser bundle has a node: import');
console.log('vardecomp/data for browsers: ok (no node: import)');
assert.ok(!/@duckdb/.test(bundled.outputFiles[0].text), 'the core bundle imports @duckdb/node-api');

// vardecomp/duckdb (Node only), ESM and CJS: a Parquet file written by DuckDB, fitted from its cells.
{
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'vardecomp-smoke-'));
  const file = join(dir, 'panel.parquet');
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  await conn.run(
    `COPY (SELECT 'u' || (i % 50) AS unit, (i // 50) % 6 AS period, random() AS x, (i % 50) * 0.1 + ((i // 50) % 6) * 0.05 + random() AS y FROM range(1500) t(i)) TO '${file}' (FORMAT parquet)`,
  );
  conn.closeSync();
  inst.closeSync();
  const duckEsm = await import('vardecomp/duckdb');
  const duckCjs = createRequire(import.meta.url)('vardecomp/duckdb');
  for (const [kind, lib] of [['esm', duckEsm], ['cjs', duckCjs]]) {
    const m = await lib.fitDuckDB(file, 'y ~ x + (1|unit) + (1|period)');
    assert.equal(m.nobs, 1500, `${kind}: vardecomp/duckdb nobs`);
    assert.ok(m instanceof (kind === 'esm' ? esm : cjs).LmmFit, `${kind}: a vardecomp/duckdb fit is the core's LmmFit`);
    console.log(`vardecomp/duckdb ${kind}: ok (1500 rows, ${m.ngroups.unit} units)`);
  }
  rmSync(dir, { recursive: true, force: true });
}
