import { describe, expect, it } from 'vitest';
import {
  applyPreprocessing,
  loadProfileFile,
  preprocessingGradient,
  resolveProfile,
} from '../../src/ml/profile.js';
import { tempDir } from '../support/temp.js';

describe('resolveProfile', () => {
  it('defaults from the model input: NCHW, NHWC, flat', () => {
    const a = resolveProfile({}, { inputShape: [null, 1, 8, 8], numClasses: 10 });
    expect(a).toMatchObject({
      inputShape: [1, 8, 8],
      numClasses: 10,
      clipMin: 0,
      clipMax: 1,
      softmaxOutput: false,
    });
    expect(a.preprocessing).toEqual({ layout: 'NCHW', inputLayout: 'NCHW', scale: 1, mean: [], std: [] });
    const b = resolveProfile({}, { inputShape: [-1, 224, 224, 3], numClasses: 5, softmaxOutput: true });
    expect(b.inputShape).toEqual([224, 224, 3]);
    expect(b.preprocessing.layout).toBe('NHWC');
    expect(b.softmaxOutput).toBe(true);
    expect(resolveProfile({}, { inputShape: [null, 64], numClasses: 3 }).preprocessing.layout).toBe('flat');
  });

  it('infers an NCHW dataset for an NHWC model from the inputShape', () => {
    const p = resolveProfile({ inputShape: [3, 4, 5] }, { inputShape: [null, 4, 5, 3], numClasses: 2 });
    expect(p.preprocessing).toMatchObject({ layout: 'NHWC', inputLayout: 'NCHW' });
  });

  it('refuses what does not fit', () => {
    expect(() => resolveProfile({}, { inputShape: [null, 5, 5, 5], numClasses: 2 })).toThrow(/NCHW or NHWC/);
    expect(() => resolveProfile({}, { inputShape: [null, null, null, 3], numClasses: 2 })).toThrow(
      /set inputShape/,
    );
    expect(() => resolveProfile({}, { inputShape: [null, 3, 8, 8] })).toThrow(/set numClasses/);
    expect(() =>
      resolveProfile({ inputShape: [3, 9, 9] }, { inputShape: [null, 3, 8, 8], numClasses: 2 }),
    ).toThrow(/does not fit/);
    expect(() =>
      resolveProfile({ preprocessing: { mean: [1, 2] } }, { inputShape: [null, 3, 8, 8], numClasses: 2 }),
    ).toThrow(/1 or 3 values/);
    expect(() =>
      resolveProfile({ clipMin: 1, clipMax: 0 }, { inputShape: [null, 4], numClasses: 2 }),
    ).toThrow(/empty/);
  });
});

describe('applyPreprocessing', () => {
  // One sample, 2 channels, 1×3 pixels, NCHW: channel 0 = [0, 1, 2], channel 1 = [3, 4, 5] (÷10).
  const x = { data: Float32Array.from([0, 1, 2, 3, 4, 5].map((v) => v / 10)), shape: [1, 2, 1, 3] };
  const p = resolveProfile(
    {
      inputShape: [2, 1, 3],
      preprocessing: { layout: 'NHWC', inputLayout: 'NCHW', scale: 10, mean: [1, 2], std: [2, 4] },
    },
    { inputShape: [null, 1, 3, 2], numClasses: 2 },
  );

  it('scales, normalises per channel and transposes to the model layout', () => {
    const y = applyPreprocessing(x, p.preprocessing);
    expect(y.shape).toEqual([1, 1, 3, 2]);
    // NHWC: (c0, c1) per pixel; c0 = (v − 1)/2, c1 = (v − 2)/4.
    expect(Array.from(y.data, (v) => Math.round(v * 1e6) / 1e6)).toEqual([-0.5, 0.25, 0, 0.5, 0.5, 0.75]);
  });

  it('chains gradients back: scale / std, transposed back', () => {
    const g = { data: Float32Array.from([1, 1, 2, 2, 3, 3]), shape: [1, 1, 3, 2] };
    const back = preprocessingGradient(g, p.preprocessing);
    expect(back.shape).toEqual([1, 2, 1, 3]);
    expect(Array.from(back.data)).toEqual([5, 10, 15, 2.5, 5, 7.5]);
  });

  it('is the identity by default', () => {
    const q = resolveProfile({}, { inputShape: [null, 2, 1, 3], numClasses: 2 });
    expect(Array.from(applyPreprocessing(x, q.preprocessing).data)).toEqual(Array.from(x.data));
  });
});

describe('profile files', () => {
  it('validates with zod', async () => {
    const t = tempDir();
    const good = t.write(
      'p.json',
      JSON.stringify({
        numClasses: 5,
        clipMax: 255,
        preprocessing: { layout: 'NHWC', mean: [0.5], std: [0.25] },
      }),
    );
    expect(await loadProfileFile(good)).toEqual({
      numClasses: 5,
      clipMax: 255,
      preprocessing: { layout: 'NHWC', mean: [0.5], std: [0.25] },
    });
    await expect(loadProfileFile(t.write('b.json', '{"numClasses": -1, "extra": 1}'))).rejects.toThrow(
      /numClasses: .*; \(root\): .*extra/,
    );
    await expect(loadProfileFile(t.write('c.json', '{'))).rejects.toMatchObject({ code: 'MALFORMED' });
  });
});
