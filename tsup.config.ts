import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    express: 'src/integrations/express.ts',
    fastify: 'src/integrations/fastify.ts',
    hono: 'src/integrations/hono.ts',
    h3: 'src/integrations/h3.ts',
    'react-router': 'src/integrations/react-router.ts',
    sveltekit: 'src/integrations/sveltekit.ts',
    astro: 'src/integrations/astro.ts',
    redis: 'src/redis/index.ts',
    'iron-session': 'src/iron-session/index.ts',
  },
  // The integrations import the core's types as 'sealed-session' (nothing at run time), and their frameworks' types.
  external: ['sealed-session', 'express', 'fastify', 'hono', 'h3', 'react-router', '@sveltejs/kit', 'astro'],
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
  // iron-webcrypto is ESM-only: a `require('iron-webcrypto')` in the CJS build
  // throws ERR_REQUIRE_ESM on Node 20 before 20.19 (engines says >=20.16). Only
  // two of its constants are used, so they are inlined into both builds and
  // neither build imports anything at run time (`npm run check:package` checks).
  noExternal: ['iron-webcrypto'],
});
