/**
 * Child process of bench/hash-bench.ts: hashes one model as `sign` would and prints one JSON line with
 * the hashing time (process start excluded), the root digest and the process's peak RSS. Bundled by the
 * bench with esbuild (as the CLI ships), so the hashing threads run from a bundle.
 *
 * Usage: node hash-child.mjs MODEL METHOD SHARD_SIZE WORKERS(0 = default)
 */
import { hashModel } from '../src/provenance/hashing/index.js';

const [model, method, shard, workers] = process.argv.slice(2);
if (model === undefined || (method !== 'files' && method !== 'shards')) {
  process.stderr.write('usage: hash-child MODEL files|shards SHARD_SIZE WORKERS\n');
  process.exit(2);
}
const t0 = process.hrtime.bigint();
const m = await hashModel(model, {
  method,
  shardSize: Number(shard ?? 1_000_000_000),
  ...(Number(workers ?? 0) > 0 ? { workers: Number(workers) } : {}),
});
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
process.stdout.write(
  `${JSON.stringify({
    seconds,
    rootDigest: m.rootDigest,
    resources: m.resources.length,
    digests: Object.fromEntries(m.resources.map((r) => [r.name, r.digest])),
    maxRssKiB: process.resourceUsage().maxRSS,
  })}\n`,
);
