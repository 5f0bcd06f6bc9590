import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  treeshake: true,
  // node:crypto is reached through process.getBuiltinModule at run time, never imported,
  // so the same bundle runs in Node, Bun, Deno, workerd and browsers.
  external: [],
});
