import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { batches, loadDataset } from '../../src/ml/data/index.js';
import { writeNpy, writeNpz } from '../../src/ml/npy.js';
import { tempDir } from '../support/temp.js';

const FIX = new URL('../fixtures/datasets/', import.meta.url).pathname;
const ref = JSON.parse(readFileSync(join(FIX, 'digits60.json'), 'utf8')) as {
  shape: number[];
  xSum: number;
  x0: number[];
  x59: number[];
  y: number[];
};

describe('npz datasets', () => {
  for (const file of ['digits60.npz', 'digits60-deflate.npz']) {
    it(`loads ${file} made by numpy exactly`, async () => {
      const ds = await loadDataset(join(FIX, file));
      expect(ds.x.shape).toEqual(ref.shape);
      expect(Array.from(ds.y)).toEqual(ref.y);
      expect(Array.from(ds.x.data.subarray(0, 64))).toEqual(ref.x0);
      expect(Array.from(ds.x.data.subarray(59 * 64))).toEqual(ref.x59);
      expect(ds.x.data.reduce((a, b) => a + b, 0)).toBeCloseTo(ref.xSum, 3);
    });
  }

  it('keeps the first `limit` samples', async () => {
    const ds = await loadDataset(join(FIX, 'digits60-deflate.npz'), { limit: 5 });
    expect(ds.x.shape).toEqual([5, 1, 8, 8]);
    expect(Array.from(ds.y)).toEqual(ref.y.slice(0, 5));
    expect(Array.from(ds.x.data.subarray(0, 64))).toEqual(ref.x0);
  });

  it('converts big-endian arrays', async () => {
    const ds = await loadDataset(join(FIX, 'digits4-big-endian.npz'));
    expect(Array.from(ds.y)).toEqual(ref.y.slice(0, 4));
    expect(Array.from(ds.x.data.subarray(0, 64))).toEqual(ref.x0);
  });

  const bad: [string, RegExp][] = [
    ['object-x', /object array .*pickle, which modelguard never loads/],
    ['pickle-member', /not a valid \.npy array \(it is a pickle, which is never loaded\)/],
    ['fortran-x', /Fortran order/],
    ['float-y', /y has dtype '<f4'; expected int64 or int32 labels/],
    ['int-x', /x has dtype '<i4'; expected float32/],
    ['length-mismatch', /x has 4 samples, y has 3 labels/],
    ['y-2d', /y has shape \[2,2\]; expected \[N\]/],
    ['negative-y', /label -1 of sample 2 is not a class index/],
    ['no-y', /no 'y' array \(members: x\.npy\)/],
    ['nan-x', /x holds NaN at sample 0/],
  ];
  for (const [name, message] of bad) {
    it(`refuses ${name}`, async () => {
      await expect(loadDataset(join(FIX, 'bad', `${name}.npz`))).rejects.toMatchObject({
        code: 'MALFORMED',
        message,
      });
    });
  }

  it('checks labels against numClasses and classNames', async () => {
    await expect(loadDataset(join(FIX, 'digits60.npz'), { numClasses: 5 })).rejects.toThrow(
      /label \d of sample \d+ is out of range for 5 classes/,
    );
    const names = Array.from({ length: 10 }, (_, i) => `d${i}`);
    const ds = await loadDataset(join(FIX, 'digits60.npz'), { classNames: names, limit: 2 });
    expect(ds.classNames).toEqual(names);
  });

  it('refuses truncated and non-zip files, bad options and unknown kinds', async () => {
    const t = tempDir();
    const bytes = readFileSync(join(FIX, 'digits60.npz'));
    const cut = t.write('cut.npz', bytes.subarray(0, 9000));
    await expect(loadDataset(cut)).rejects.toMatchObject({ code: 'MALFORMED' });
    await expect(loadDataset(t.write('x.npz', 'hello'))).rejects.toMatchObject({ code: 'MALFORMED' });
    await expect(loadDataset(t.write('x.csv', 'a,b'))).rejects.toMatchObject({ code: 'MALFORMED' }); // a header, no rows
    await expect(loadDataset(t.write('x.parquet', 'PAR1'))).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(loadDataset(join(FIX, 'digits60.npz'), { limit: 0 })).rejects.toThrow(/limit 0/);
    await expect(loadDataset(join(t.dir, 'missing.npz'))).rejects.toMatchObject({ code: 'IO' });
  });

  it('batches are views over the data', async () => {
    const ds = await loadDataset(join(FIX, 'digits60.npz'));
    const all = [...batches(ds, 25)];
    expect(all.map((b) => [b.start, b.end, b.x.shape[0]])).toEqual([
      [0, 25, 25],
      [25, 50, 25],
      [50, 60, 10],
    ]);
    const last = all[2];
    expect(last?.x.data.buffer).toBe(ds.x.data.buffer);
    expect(last?.x.data[0]).toBe(ds.x.data[50 * 64]);
    expect(last?.y[0]).toBe(ds.y[50]);
  });
});

function png(w: number, h: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const p = new pngjs.PNG({ width: w, height: h });
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [r, g, b] = pixel(x, y);
      p.data.set([r, g, b, 255], (y * w + x) * 4);
    }
  return pngjs.PNG.sync.write(p);
}

describe('image folders', () => {
  const t = tempDir();
  // cats: 2 RGB PNGs; dogs: 1 PNG + 1 JPEG of a flat colour.
  t.write(
    'set/cats/a.png',
    png(3, 2, (x, y) => [x * 100, y * 200, 7]),
  );
  t.write(
    'set/cats/b.png',
    png(3, 2, () => [255, 0, 0]),
  );
  t.write(
    'set/dogs/c.png',
    png(3, 2, (x) => [x, x, x]),
  );
  const rgba = new Uint8Array(3 * 2 * 4).fill(255);
  for (let i = 0; i < 6; i++) rgba.set([40, 120, 200, 255], i * 4);
  t.write('set/dogs/d.jpg', jpeg.encode({ data: rgba, width: 3, height: 2 }, 100).data);
  t.write('set/dogs/notes.txt', 'ignored');
  const root = join(t.dir, 'set');

  it('decodes PNG and JPEG to float32 in [0,1], NCHW, round-robin over classes', async () => {
    const ds = await loadDataset(root);
    expect(ds.classNames).toEqual(['cats', 'dogs']);
    expect(ds.x.shape).toEqual([4, 3, 2, 3]);
    expect(Array.from(ds.y)).toEqual([0, 1, 0, 1]); // a (cats), c (dogs), b (cats), d (dogs)
    const a = Array.from(ds.x.data.subarray(0, 18)).map((v) => Math.round(v * 255));
    expect(a).toEqual([0, 100, 200, 0, 100, 200, 0, 0, 0, 200, 200, 200, 7, 7, 7, 7, 7, 7]);
    const d = ds.x.data.subarray(54, 72);
    for (let i = 0; i < 6; i++) {
      expect(d[i]).toBeCloseTo(40 / 255, 1);
      expect(d[6 + i]).toBeCloseTo(120 / 255, 1);
      expect(d[12 + i]).toBeCloseTo(200 / 255, 1);
    }
  });

  it('NHWC layout, limit, grayscale and class names', async () => {
    const nhwc = await loadDataset(root, { layout: 'NHWC', limit: 2 });
    expect(nhwc.x.shape).toEqual([2, 2, 3, 3]);
    expect(Array.from(nhwc.x.data.subarray(0, 6)).map((v) => Math.round(v * 255))).toEqual([
      0, 0, 7, 100, 0, 7,
    ]);
    const gray = await loadDataset(root, { channels: 1, limit: 3 });
    expect(gray.x.shape).toEqual([3, 1, 2, 3]);
    expect(gray.x.data[6 + 2]).toBeCloseTo(2 / 255, 6); // c.png pixel (2,0) is gray 2
    expect(gray.x.data[12]).toBeCloseTo(0.299, 6); // b.png is pure red
    const swapped = await loadDataset(root, { classNames: ['dogs', 'cats'] });
    expect(Array.from(swapped.y)).toEqual([0, 1, 0, 1]); // c (dogs = 0), a (cats = 1), d, b
    expect(swapped.x.data[2]).toBeCloseTo(2 / 255, 6);
    await expect(loadDataset(root, { classNames: ['cats'] })).rejects.toThrow(/folder 'dogs' is not one of/);
  });

  it('picks one channel when every image is gray', async () => {
    const g = tempDir();
    g.write(
      'c0/a.png',
      png(2, 2, (x) => [x * 9, x * 9, x * 9]),
    );
    g.write(
      'c1/b.png',
      png(2, 2, () => [5, 5, 5]),
    );
    const ds = await loadDataset(g.dir);
    expect(ds.x.shape).toEqual([2, 1, 2, 2]);
    expect(Array.from(ds.x.data).map((v) => Math.round(v * 255))).toEqual([0, 9, 0, 9, 5, 5, 5, 5]);
  });

  it('resizes bilinearly or names the first image of another size', async () => {
    const r = tempDir();
    r.write(
      'c0/a.png',
      png(2, 2, (x) => [x * 255, 0, 0]),
    );
    r.write(
      'c1/b.png',
      png(4, 4, () => [0, 0, 0]),
    );
    await expect(loadDataset(r.dir)).rejects.toThrow(
      /b\.png: 4×4 pixels, but .*a\.png is 2×2; all images must share a size/,
    );
    const ds = await loadDataset(r.dir, { resize: [1, 4], channels: 3 });
    expect(ds.x.shape).toEqual([2, 3, 1, 4]);
    // 2 → 4 columns, half-pixel centres: source x = -0.25, 0.25, 0.75, 1.25 → clamp → 0, 0.25, 0.75, 1.
    expect(Array.from(ds.x.data.subarray(0, 4))).toEqual([0, 0.25, 0.75, 1]);
  });

  it('refuses empty classes, folders without classes and undecodable images', async () => {
    const e = tempDir();
    e.write(
      'empty/c0/a.png',
      png(1, 1, () => [1, 2, 3]),
    );
    e.write('empty/c1/readme.md', 'x');
    await expect(loadDataset(join(e.dir, 'empty'))).rejects.toThrow(
      /class folder 'c1' holds no PNG or JPEG images/,
    );
    e.write(
      'flat/a.png',
      png(1, 1, () => [1, 2, 3]),
    );
    await expect(loadDataset(join(e.dir, 'flat'))).rejects.toThrow(/no class subfolders/);
    e.write('broken/c0/a.png', 'not an image');
    await expect(loadDataset(join(e.dir, 'broken'))).rejects.toThrow(/a\.png: neither PNG nor JPEG/);
    const huge = Buffer.from(png(1, 1, () => [0, 0, 0]));
    huge.writeUInt32BE(100_000, 16); // IHDR width × height = 10^10 pixels, refused before decoding
    huge.writeUInt32BE(100_000, 20);
    e.write('huge/c0/a.png', huge);
    await expect(loadDataset(join(e.dir, 'huge'))).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      limit: 'maxImagePixels',
    });
    const p = png(2, 2, () => [0, 0, 0]);
    e.write('trunc/c0/a.png', p.subarray(0, 40));
    await expect(loadDataset(join(e.dir, 'trunc'))).rejects.toMatchObject({ code: 'MALFORMED' });
  });
});

describe('npy/npz writer', () => {
  it('writes files numpy loads, and the npz loads back here', async () => {
    const t = tempDir();
    const x = { data: Float32Array.from({ length: 24 }, (_, i) => i / 7 - 1), shape: [2, 3, 4] };
    const y = Int32Array.from([3, 1]);
    const npy = join(t.dir, 'g.npy');
    const npz = join(t.dir, 'adv.npz');
    writeNpy(npy, x);
    writeNpz(npz, { x, y });
    const py = [
      'import numpy as np, sys',
      'a = np.load(sys.argv[1], allow_pickle=False)',
      'z = np.load(sys.argv[2], allow_pickle=False)',
      'print(a.dtype, a.shape, repr(float(a.astype(np.float64).sum())), a[1,2,3] == np.float32(23/7-1))',
      'print(sorted(z.files), z["x"].dtype, z["y"].dtype, z["y"].tolist(), bool((z["x"] == a).all()))',
    ].join('\n');
    const r = spawnSync('/usr/bin/python3', ['-c', py, npy, npz], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const sum = x.data.reduce((s, v) => s + v, 0);
    const [line1, line2] = r.stdout.trim().split('\n');
    expect(line1?.split(' ').slice(0, 4)).toEqual(['float32', '(2,', '3,', '4)']);
    expect(Number(line1?.split(' ')[4])).toBeCloseTo(sum, 5);
    expect(line1?.endsWith('True')).toBe(true);
    expect(line2).toBe("['x', 'y'] float32 int32 [3, 1] True");
    const back = await loadDataset(npz);
    expect(back.x.shape).toEqual([2, 3, 4]);
    expect(Array.from(back.x.data)).toEqual(Array.from(x.data));
    expect(Array.from(back.y)).toEqual([3, 1]);
  });
});

describe('loadDataset routes tables to the tabular loader', () => {
  it('a .csv and the .npz made from the same data load to the same features and labels', async () => {
    const dir = new URL('../fixtures/data/', import.meta.url).pathname;
    const csv = await loadDataset(join(dir, 'breast_cancer_flipped.csv'));
    const npz = await loadDataset(join(dir, 'breast_cancer_flipped.npz'));
    expect(csv.x.shape).toEqual(npz.x.shape);
    expect([...csv.y]).toEqual([...npz.y]);
    for (let i = 0; i < 50; i++) expect(csv.x.data[i]).toBeCloseTo(npz.x.data[i] as number, 4);
    await expect(loadDataset(join(dir, 'breast_cancer_flipped.csv'), { numClasses: 1 })).rejects.toThrow();
  });
});
