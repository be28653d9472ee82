// Bundles the CLI into dist/bundle/ (one module plus lazily loaded chunks) so `modelguard` starts fast:
// loading ~150 small ESM files costs more than the scan of a typical checkpoint. Runtime packages stay
// external; code loaded only for some inputs (7-Zip, the policy-file schema) stays in separate chunks.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: { modelguard: 'dist/cli/main.js' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: 'dist/bundle',
  packages: 'external',
  logLevel: 'warning',
});
