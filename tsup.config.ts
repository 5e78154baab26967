import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // vardecomp/duckdb (Node only) shares the core's chunks, so its fits are the core's LmmFit;
    // @duckdb/node-api stays an (optional) external import of that entry alone.
    entry: {
      index: 'src/index.ts',
      data: 'src/data/index.ts',
      'data-browser': 'src/data/browser.ts',
      node: 'src/node/index.ts',
      duckdb: 'src/duckdb/index.ts',
    },
    external: ['@duckdb/node-api'],
    // No shims: tsup's ESM __dirname shim imports 'path' and 'url' into a chunk shared with the
    // browser-safe entries. The Node loader finds its directory from __dirname (CJS) or
    // import.meta.url (ESM) itself.
    format: ['esm', 'cjs'],
    // Shared chunks for CJS too, so that require('vardecomp/duckdb') fits are require('vardecomp')'s LmmFit.
    splitting: true,
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    treeshake: true,
  },
  {
    // The `vardecomp` command (Node only): one ESM file with a shebang. vega and vega-lite are
    // optional dependencies, imported lazily when a chart is rendered.
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    dts: false,
    sourcemap: true,
    clean: false,
    treeshake: true,
    banner: { js: '#!/usr/bin/env node' },
    external: ['vega', 'vega-lite', '@duckdb/node-api'],
  },
]);
