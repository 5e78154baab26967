import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', data: 'src/data/index.ts' },
  shims: true,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  treeshake: true,
});
