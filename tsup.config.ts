import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', data: 'src/data/index.ts' },
    shims: true,
    format: ['esm', 'cjs'],
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
    external: ['vega', 'vega-lite'],
  },
]);
