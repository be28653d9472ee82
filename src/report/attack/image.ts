import { PNG } from 'pngjs';

/** How one sample is drawn: height × width × channels (1 gray, 3 RGB), and where each value lives. */
export interface ImageGeometry {
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
  /** Index into the sample of pixel (row, col), channel ch. */
  readonly at: (row: number, col: number, ch: number) => number;
}

/** The largest image side drawn, after nearest-neighbour scaling. */
export const MAX_IMAGE_SIDE = 192;
/** Small images are scaled up to at least this side. */
const MIN_IMAGE_SIDE = 96;
/** Larger samples are not drawn (a data URI per image stays small). */
export const MAX_SOURCE_SIDE = 512;

/**
 * Reads a sample shape as an image: `[C,H,W]` (NCHW) or `[H,W,C]` (NHWC) with 1 or 3 (or 4: alpha
 * ignored) channels, `[H,W]`, or a flat vector of a square length (8×8 digits). Null when it is none.
 */
export function imageGeometry(shape: readonly number[], layout: string): ImageGeometry | null {
  const dims = [...shape];
  let g: ImageGeometry | null = null;
  if (dims.length === 1) {
    const side = Math.round(Math.sqrt(dims[0] ?? 0));
    if (side > 1 && side * side === dims[0])
      g = { height: side, width: side, channels: 1, at: (r, c) => r * side + c };
  } else if (dims.length === 2) {
    const [h, w] = dims as [number, number];
    g = { height: h, width: w, channels: 1, at: (r, c) => r * w + c };
  } else if (dims.length === 3) {
    const channelsFirst = layout === 'NCHW' || (layout !== 'NHWC' && (dims[0] ?? 0) <= 4);
    const [c0, c1, c2] = dims as [number, number, number];
    const [ch, h, w] = channelsFirst ? [c0, c1, c2] : [c2, c0, c1];
    if (ch === 1 || ch === 3 || ch === 4) {
      const channels = ch === 1 ? 1 : 3;
      g = channelsFirst
        ? { height: h, width: w, channels, at: (r, c, k) => (k * h + r) * w + c }
        : { height: h, width: w, channels, at: (r, c, k) => (r * w + c) * ch + k };
    }
  }
  if (g === null || g.height < 1 || g.width < 1) return null;
  if (g.height > MAX_SOURCE_SIDE || g.width > MAX_SOURCE_SIDE) return null;
  return g;
}

/** Nearest-neighbour scale factor: small images grow to MIN_IMAGE_SIDE, never past MAX_IMAGE_SIDE. */
export function scaleFactor(g: ImageGeometry): number {
  const side = Math.max(g.height, g.width);
  return Math.max(1, Math.min(Math.ceil(MIN_IMAGE_SIDE / side), Math.floor(MAX_IMAGE_SIDE / side)));
}

/** Encodes byte values (`value(row, col, ch)` in 0..255) as a PNG data URI, scaled by nearest neighbour. */
function encode(g: ImageGeometry, value: (r: number, c: number, k: number) => number): string {
  const s = scaleFactor(g);
  const png = new PNG({ width: g.width * s, height: g.height * s, colorType: g.channels === 1 ? 0 : 2 });
  for (let y = 0; y < g.height * s; y++) {
    for (let x = 0; x < g.width * s; x++) {
      const o = (y * g.width * s + x) * 4;
      for (let k = 0; k < 3; k++) {
        png.data[o + k] = value(Math.floor(y / s), Math.floor(x / s), g.channels === 1 ? 0 : k);
      }
      png.data[o + 3] = 255;
    }
  }
  const bytes = PNG.sync.write(png, { colorType: g.channels === 1 ? 0 : 2, inputHasAlpha: true });
  return `data:image/png;base64,${bytes.toString('base64')}`;
}

function toByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(Number.isFinite(v) ? v : 0)));
}

/** A sample as a PNG data URI, values mapped from [lo, hi] to 0..255. */
export function samplePng(g: ImageGeometry, sample: Float32Array, lo: number, hi: number): string {
  const span = hi > lo ? hi - lo : 1;
  return encode(g, (r, c, k) => toByte((((sample[g.at(r, c, k)] ?? lo) - lo) / span) * 255));
}

/**
 * The perturbation `adv − orig` as a PNG data URI: centred at grey (128 = unchanged) and amplified so
 * the largest change reaches black or white. Returns the largest |change| with it.
 */
export function differencePng(
  g: ImageGeometry,
  original: Float32Array,
  adversarial: Float32Array,
): { uri: string; maxAbs: number } {
  let max = 0;
  for (let r = 0; r < g.height; r++)
    for (let c = 0; c < g.width; c++)
      for (let k = 0; k < g.channels; k++) {
        const i = g.at(r, c, k);
        const d = Math.abs((adversarial[i] ?? 0) - (original[i] ?? 0));
        if (Number.isFinite(d) && d > max) max = d;
      }
  const gain = max > 0 ? 127 / max : 0;
  const uri = encode(g, (r, c, k) => {
    const i = g.at(r, c, k);
    return toByte(128 + ((adversarial[i] ?? 0) - (original[i] ?? 0)) * gain);
  });
  return { uri, maxAbs: max };
}
