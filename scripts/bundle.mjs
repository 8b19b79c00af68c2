#!/usr/bin/env node
// Bundles the CLI into one file. Loading ~300 small modules (Kysely alone has 280) costs most
// of a second at start-up on a small machine; one bundled file loads in a fraction of that.
// Native and optional modules stay external.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/index.ts'],
  outfile: 'dist/payrail.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['better-sqlite3', 'pg-native'],
  // Bundled CommonJS dependencies call require(); give the ES module one.
  banner: {
    js:
      "import { createRequire } from 'node:module';\n" +
      'const require = createRequire(import.meta.url);',
  },
  logLevel: 'warning',
});
