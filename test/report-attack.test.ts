import { createHash } from 'node:crypto';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  type AttackRun,
  curveOf,
  entriesOf,
  overallRobustAccuracy,
  worstCaseMasks,
} from '../src/report/attack/build.js';
import { renderAttackHtml } from '../src/report/attack/html.js';
import { differencePng, imageGeometry, samplePng, scaleFactor } from '../src/report/attack/image.js';
import { ATTACK_SCHEMA_ID, renderAttackJson } from '../src/report/attack/json.js';
import { renderAttackText } from '../src/report/attack/text.js';
import { sampleExamples, sampleReport } from './report-attack-support.js';

function decode(uri: string): PNG {
  expect(uri.startsWith('data:image/png;base64,')).toBe(true);
  return PNG.sync.read(Buffer.from(uri.slice('data:image/png;base64,'.length), 'base64'));
}

function run(name: AttackRun['name'], eps: number, fooled: number[], active: number[]): AttackRun {
  return {
    name,
    norm: 'linf',
    eps,
    active: Uint8Array.from(active),
    result: {
      fooled: Uint8Array.from(fooled),
      perturbation: Float32Array.from(fooled, (f) => f * eps),
      queries: Float32Array.from(active, (a) => a * 10),
      seconds: 0.5,
    },
  };
}

describe('attack report: numbers', () => {
  // Five points; point 4 is a clean error.
  const correct = Uint8Array.from([1, 1, 1, 1, 0]);
  const all = [1, 1, 1, 1, 0];

  it('robust accuracy counts clean errors as not robust; success rate is over the attacked points', () => {
    const [e] = entriesOf([run('fgsm', 0.1, [1, 0, 0, 0, 1], all)], correct, false);
    expect(e?.robustAccuracy).toBe(3 / 5);
    expect(e?.successRate).toBe(1 / 4);
    expect(e?.attacked).toBe(4);
    expect(e?.fooled).toBe(1);
    expect(e?.meanPerturbation).toBeCloseTo(0.1);
    expect(e?.medianPerturbation).toBeCloseTo(0.1);
    expect(e?.queries).toBe(10);
  });

  it('mean and median perturbation over the fooled points only', () => {
    const r = run('hsj', 1, [1, 1, 1, 0, 0], all);
    const p = r.result.perturbation as Float32Array;
    p.set([0.5, 0.25, 1, 0.125, 0]);
    const [e] = entriesOf([r], correct, false);
    expect(e?.meanPerturbation).toBeCloseTo(1.75 / 3, 6);
    expect(e?.medianPerturbation).toBe(0.5);
  });

  it('worst case per sample: two attacks fooling different points beat either alone', () => {
    const runs = [run('fgsm', 0.1, [1, 0, 0, 0, 0], all), run('square', 0.1, [0, 1, 0, 0, 0], all)];
    const entries = entriesOf(runs, correct, false);
    expect(entries.map((e) => e.robustAccuracy)).toEqual([3 / 5, 3 / 5]);
    const masks = worstCaseMasks([0.1], runs, correct);
    expect([...(masks[0] ?? [])]).toEqual([0, 0, 1, 1, 0]);
    expect(overallRobustAccuracy(masks, correct)).toBe(2 / 5);
  });

  it('a preset accumulates: later attacks start from what is still robust', () => {
    const runs = [
      run('apgd-ce', 0.1, [1, 0, 0, 0, 0], all),
      run('square', 0.1, [0, 0, 1, 0, 0], [0, 1, 1, 1, 0]),
    ];
    const entries = entriesOf(runs, correct, true);
    expect(entries.map((e) => e.robustAccuracy)).toEqual([3 / 5, 2 / 5]);
    expect(entries[1]?.attacked).toBe(3);
  });

  it('the curve has the worst case and one line per attack at every ε', () => {
    const eps = [0.1, 0.2];
    const runs = [
      run('fgsm', 0.1, [1, 0, 0, 0, 0], all),
      run('fgsm', 0.2, [1, 1, 0, 0, 0], all),
      run('pgd', 0.1, [0, 0, 1, 0, 0], all),
      run('pgd', 0.2, [1, 1, 1, 1, 0], all),
    ];
    const entries = entriesOf(runs, correct, false);
    const masks = worstCaseMasks(eps, runs, correct);
    const curve = curveOf(eps, entries, masks, 0.8);
    expect(curve.worstCase).toEqual([2 / 5, 0]);
    expect(curve.attacks).toEqual([
      { name: 'fgsm', robustAccuracy: [3 / 5, 2 / 5] },
      { name: 'pgd', robustAccuracy: [3 / 5, 0] },
    ]);
    expect(overallRobustAccuracy(masks, correct)).toBe(0);
  });
});

describe('attack report: images', () => {
  it('reads NCHW, NHWC, [H, W] and square flat vectors; refuses other shapes', () => {
    expect(imageGeometry([1, 8, 8], 'NCHW')).toMatchObject({ height: 8, width: 8, channels: 1 });
    expect(imageGeometry([3, 32, 32], 'NCHW')).toMatchObject({ height: 32, width: 32, channels: 3 });
    expect(imageGeometry([32, 16, 3], 'NHWC')).toMatchObject({ height: 32, width: 16, channels: 3 });
    expect(imageGeometry([64], 'flat')).toMatchObject({ height: 8, width: 8, channels: 1 });
    expect(imageGeometry([28, 28], 'flat')).toMatchObject({ height: 28, width: 28, channels: 1 });
    expect(imageGeometry([30], 'flat')).toBeNull();
    expect(imageGeometry([5, 8, 8], 'NCHW')).toBeNull();
    expect(imageGeometry([3, 4000, 4000], 'NCHW')).toBeNull();
  });

  it('grey 8×8 scaled up by nearest neighbour: every block has its pixel value', () => {
    const g = imageGeometry([1, 8, 8], 'NCHW');
    if (!g) throw new Error('no geometry');
    const s = scaleFactor(g);
    expect(s).toBe(12);
    const sample = Float32Array.from({ length: 64 }, (_, i) => i / 63);
    const png = decode(samplePng(g, sample, 0, 1));
    expect([png.width, png.height]).toEqual([96, 96]);
    for (const [r, c] of [
      [0, 0],
      [3, 5],
      [7, 7],
    ] as const) {
      const want = Math.round(((r * 8 + c) / 63) * 255);
      for (const [dy, dx] of [
        [0, 0],
        [s - 1, s - 1],
        [5, 2],
      ] as const) {
        const o = ((r * s + dy) * png.width + c * s + dx) * 4;
        expect([png.data[o], png.data[o + 1], png.data[o + 2]]).toEqual([want, want, want]);
      }
    }
  });

  it('RGB channels land where NCHW and NHWC put them', () => {
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const shape = layout === 'NCHW' ? [3, 2, 2] : [2, 2, 3];
      const g = imageGeometry(shape, layout);
      if (!g) throw new Error('no geometry');
      const x = new Float32Array(12);
      // Pixel (0, 1) is pure red, pixel (1, 0) pure blue.
      x[g.at(0, 1, 0)] = 1;
      x[g.at(1, 0, 2)] = 1;
      const png = decode(samplePng(g, x, 0, 1));
      const s = scaleFactor(g);
      const px = (r: number, c: number) => {
        const o = (r * s * png.width + c * s) * 4;
        return [png.data[o], png.data[o + 1], png.data[o + 2]];
      };
      expect(px(0, 1)).toEqual([255, 0, 0]);
      expect(px(1, 0)).toEqual([0, 0, 255]);
      expect(px(1, 1)).toEqual([0, 0, 0]);
    }
  });

  it('difference image: grey where unchanged, white/black at the largest change', () => {
    const g = imageGeometry([1, 8, 8], 'NCHW');
    if (!g) throw new Error('no geometry');
    const a = new Float32Array(64).fill(0.5);
    const b = Float32Array.from(a);
    b[0] = 0.55;
    b[1] = 0.45;
    b[2] = 0.525;
    const { uri, maxAbs } = differencePng(g, a, b);
    expect(maxAbs).toBeCloseTo(0.05, 6);
    const png = decode(uri);
    const s = scaleFactor(g);
    const at = (c: number) => png.data[c * s * 4];
    expect(at(0)).toBe(255);
    expect(at(1)).toBe(1);
    expect(Math.abs((at(2) ?? 0) - 192)).toBeLessThanOrEqual(1); // half the largest change, float32 rounding
    expect(at(3)).toBe(128);
  });
});

describe('attack report: renderers', () => {
  it('JSON carries the schema id and the report', () => {
    const doc = JSON.parse(renderAttackJson(sampleReport())) as Record<string, unknown>;
    expect(doc['$schema']).toBe(ATTACK_SCHEMA_ID);
    expect(doc['robustAccuracy']).toBe(0.0067);
  });

  it('text: warnings first, a row per attack × ε, the curve; control characters shown, not obeyed', () => {
    const text = renderAttackText(sampleReport({ data: { path: 'd\u202Eata\x1b[2J.npz', samples: 450 } }), {
      color: false,
    });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^warning: the model outputs probabilities/);
    expect(text).toContain('[U+202E]');
    expect(text).toContain('[U+001B]');
    expect(text).not.toContain('\x1b');
    expect(text.match(/^\s+(fgsm|pgd)\s+linf/gm)?.length).toBe(6);
    expect(text).toMatch(/robust accuracy: 0\.67%/);
    expect(text).toMatch(/worst case\s+79\.00%\s+39\.00%\s+0\.67%/);
  });

  it('HTML: self-contained, every string escaped, style allowed by its hash, no script', () => {
    const page = renderAttackHtml(sampleReport(), sampleExamples());
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;script&gt;window.__pwned=2&lt;/script&gt;');
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    const csp = /content="([^"]+)"/.exec(page)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? '';
    const hash = createHash('sha256').update(style).digest('base64');
    expect(csp).toContain(`'sha256-${hash}'`);
    expect(page.match(/<polyline/g)?.length).toBe(4); // clean, worst case, fgsm, pgd
    expect(page.match(/<img src="data:image\/png;base64,/g)?.length).toBe(9);
    expect(page.match(/<tr><td>/g)?.length).toBe(6);
  });

  it('HTML: samples that are not images are said so, not drawn', () => {
    const r = sampleReport();
    const page = renderAttackHtml({ ...r, model: { ...r.model, inputShape: [30] } }, sampleExamples(2, [30]));
    expect(page).toContain('are not drawn as images');
    expect(page).not.toContain('<img');
  });

  it('HTML: a worst-case line that drops from clean at ε = 0 to each point', () => {
    const page = renderAttackHtml(sampleReport());
    const worst = /<polyline class="line worst" points="([^"]+)"/.exec(page)?.[1]?.split(' ') ?? [];
    expect(worst).toHaveLength(4);
    const ys = worst.map((p) => Number(p.split(',')[1]));
    for (let i = 1; i < ys.length; i++) expect(ys[i]).toBeGreaterThan(ys[i - 1] as number); // SVG y grows down
  });
});
