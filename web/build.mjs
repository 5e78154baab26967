// Builds the static page into web/dist: the page script (vega and vega-lite split into a chunk
// loaded when the first chart is drawn), the worker that fits and bootstraps, the HTML and CSS,
// and a copy of the England panel's CSV. `node web/build.mjs`; prints each file's size.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const out = join(here, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// The page uses the library's public entries, resolved to the sources of this checkout.
const alias = { vardecomp: join(root, 'src/index.ts'), 'vardecomp/data': join(root, 'src/data/browser.ts') };
const common = { bundle: true, minify: true, sourcemap: false, target: 'es2022', platform: 'browser', alias, legalComments: 'none', logLevel: 'warning' };

await build({ ...common, entryPoints: { main: join(here, 'src/main.ts') }, outdir: out, format: 'esm', splitting: true, chunkNames: 'chunk-[hash]' });
await build({ ...common, entryPoints: { worker: join(here, 'src/worker.ts') }, outdir: out, format: 'iife' });
for (const f of ['index.html', 'style.css']) copyFileSync(join(here, f), join(out, f));
copyFileSync(join(root, 'data/england-la-childrens-social-care.csv'), join(out, 'england-la-childrens-social-care.csv'));

let total = 0;
for (const f of readdirSync(out).sort()) {
  const size = statSync(join(out, f)).size;
  total += size;
  console.log(`${f.padEnd(44)} ${(size / 1024).toFixed(1).padStart(8)} KiB`);
}
console.log(`${'total'.padEnd(44)} ${(total / 1024).toFixed(1).padStart(8)} KiB`);
