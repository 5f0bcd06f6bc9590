import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The integrations import the core as 'sealed-session' (external in the build, so a bundle
    // never carries a second copy); in tests that name is the source entry.
    alias: [
      { find: /^sealed-session$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
      { find: /^sealed-session\/redis$/, replacement: fileURLToPath(new URL('./src/redis/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    pool: 'threads',
  },
});
