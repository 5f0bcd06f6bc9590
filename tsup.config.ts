import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'integrations/react-router': 'src/integrations/react-router.ts',
    'integrations/sveltekit': 'src/integrations/sveltekit.ts',
    'integrations/astro': 'src/integrations/astro.ts',
  },
  format: ['esm', 'cjs'],
  // Declarations leave out what is marked @internal (key internals, adapter symbols).
  dts: { compilerOptions: { stripInternal: true } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  treeshake: true,
  // node:crypto is reached through process.getBuiltinModule at run time, never imported,
  // so the same bundle runs in Node, Bun, Deno, workerd and browsers.
  external: [],
  // iron-webcrypto is ESM-only: a `require('iron-webcrypto')` in the CJS build
  // throws ERR_REQUIRE_ESM on Node 20 before 20.19 (engines says >=20.16). Only
  // two of its constants are used, so they are inlined into both builds and
  // neither build imports anything at run time (`npm run check:package` checks).
  noExternal: ['iron-webcrypto'],
});
