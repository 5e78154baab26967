#!/usr/bin/env bash
# The published package as a user gets it: `npm pack`, then `npm install ./vardecomp-<v>.tgz` in a
# fresh project with no lockfile (so the repository's `overrides` do not apply), then an ESM and a
# CJS script and the `vardecomp` command against the installed package.
# Run after `npm run build`: bash scripts/smoke-pack.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tarball=$(npm pack --silent --pack-destination "$tmp" | tail -n 1)
mkdir "$tmp/project"
cd "$tmp/project"
printf '{ "name": "vardecomp-smoke", "version": "1.0.0", "private": true }\n' > package.json
npm install --no-audit --no-fund --no-package-lock "$tmp/$tarball" > install.log 2>&1 || { cat install.log; exit 1; }
npm ls @uwdata/flechette

printf 'y,x,unit,period\n' > panel.csv
node -e '
const rows = [];
for (let u = 0; u < 30; u++) for (let t = 0; t < 6; t++) {
  const x = ((u * 7) % 11) / 3;
  rows.push([(2 * x + ((u * 13) % 17) / 4 + ((t * 5) % 7) / 3 + ((u * t * 31) % 19) / 6).toFixed(3), x.toFixed(3), "u" + u, 2010 + t].join(","));
}
rows[5] = rows[5].replace(/^[^,]*/, "NA");
require("fs").appendFileSync("panel.csv", rows.join("\n") + "\n");
'

cat > esm.mjs <<'EOF'
import assert from 'node:assert/strict';
import { decompose, fit, naoPanel, parseTable, VardecompError } from 'vardecomp';
import { readTable } from 'vardecomp/node';
import { loadEnglandPanel } from 'vardecomp/data';
const d = decompose(naoPanel({ seed: 1, exact: true }), 'rate ~ deprivation + (1|la) + (1|year)');
assert.ok(Math.abs(d.shares.la - 0.44) < 1e-6);
const { table, columns } = await readTable('panel.csv');
assert.equal(columns.find((c) => c.name === 'y').missing, 1);
const m = fit(table, 'y ~ x + (1|unit) + (1|period)');
assert.equal(m.nobs, 179);
assert.equal(parseTable('y\n1\nNA\n').columns[0].type, 'numeric');
assert.throws(() => fit(table, 'y ~ nope + (1|unit)'), (e) => e instanceof VardecompError && e.code === 'E_COLUMN');
assert.equal((await loadEnglandPanel({ years: [2013, 2018] })).numRows(), 900);
console.log(`esm: ok (local ${(100 * d.shares.la).toFixed(1)}%, ${m.nobs} rows from panel.csv)`);
EOF
cat > cjs.cjs <<'EOF'
const assert = require('node:assert/strict');
const { decompose, naoPanel, VardecompError, fit } = require('vardecomp');
const { readTable } = require('vardecomp/node');
(async () => {
  const d = decompose(naoPanel({ seed: 1, exact: true }), 'rate ~ deprivation + (1|la) + (1|year)');
  assert.ok(Math.abs(d.shares.la - 0.44) < 1e-6);
  const { table } = await readTable('panel.csv');
  assert.equal(fit(table, 'y ~ x + (1|unit) + (1|period)').nobs, 179);
  assert.throws(() => fit(table, 'y ~ nope + (1|unit)'), (e) => e instanceof VardecompError);
  console.log('cjs: ok');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
EOF
node esm.mjs
node cjs.cjs
npx --no-install vardecomp fit panel.csv -f 'y ~ x + (1|unit) + (1|period)' > fit.txt
grep -q '179' fit.txt || { cat fit.txt; exit 1; }
npx --no-install vardecomp simulate --nao --exact | npx --no-install vardecomp compare -f 'rate ~ deprivation + (1|la) + (1|year)' > compare.txt
grep -q '44.0%' compare.txt || { cat compare.txt; exit 1; }
echo "packed install: ok ($tarball; vardecomp CLI fit and compare)"
cd "$root"
