import type { NextConfig } from 'next';

const config: NextConfig = {
  // The library is imported from ../../src as TypeScript source; Turbopack
  // finds the repository root (and so src/) from package-lock.json.
  poweredByHeader: false,
};

export default config;
