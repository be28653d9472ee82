import { LimitError, ModelguardError } from '../../core/errors.js';
import { DATA_LIMITS } from './limits.js';
import { malformed } from './npy-array.js';

/** A decoded image: 8-bit RGBA pixels, row-major. */
export interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export type ImageDecoder = (bytes: Uint8Array, name: string) => Rgba;

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function checkPixels(width: number, height: number, name: string): void {
  if (width * height > DATA_LIMITS.maxImagePixels) {
    throw new LimitError(
      'maxImagePixels',
      `${name}: ${width}×${height} pixels, more than maxImagePixels ${DATA_LIMITS.maxImagePixels}`,
    );
  }
}

/** A decoder for PNG (pngjs) and JPEG (jpeg-js), picked by the file's magic bytes; loads both lazily. */
export async function imageDecoder(): Promise<ImageDecoder> {
  const [{ default: pngjs }, { default: jpeg }] = await Promise.all([import('pngjs'), import('jpeg-js')]);
  return (bytes, name) => {
    try {
      if (PNG_SIG.every((b, i) => bytes[i] === b)) {
        if (bytes.length < 24) throw malformed(`${name}: PNG is truncated`);
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        checkPixels(view.getUint32(16), view.getUint32(20), name);
        const png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        return { width: png.width, height: png.height, data: png.data };
      }
      if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
        const img = jpeg.decode(bytes, {
          useTArray: true,
          formatAsRGBA: true,
          maxResolutionInMP: DATA_LIMITS.maxImagePixels / 1e6,
          maxMemoryUsageInMB: 1024,
        });
        return { width: img.width, height: img.height, data: img.data };
      }
    } catch (e) {
      if (e instanceof ModelguardError) throw e;
      const msg = (e as Error).message ?? String(e);
      if (/maxResolutionInMP|maxMemoryUsageInMB/.test(msg))
        throw new LimitError('maxImagePixels', `${name}: ${msg}`);
      throw new ModelguardError('MALFORMED', `${name}: cannot decode image: ${msg}`, { cause: e });
    }
    throw malformed(`${name}: neither PNG nor JPEG (by its first bytes)`);
  };
}

/** True when every pixel has R = G = B (a grayscale image decoded to RGBA). */
export function isGray(img: Rgba): boolean {
  const d = img.data;
  for (let i = 0; i < d.length; i += 4) if (d[i] !== d[i + 1] || d[i] !== d[i + 2]) return false;
  return true;
}

/**
 * Writes the image into `out` at `offset` as float32 in [0, 1] (alpha ignored): `channels` 1 (ITU-R 601
 * luma, as PIL's 'L') or 3, `layout` CHW or HWC, resized bilinearly to `height`×`width` when it differs.
 */
export function writePixels(
  img: Rgba,
  out: Float32Array,
  offset: number,
  channels: 1 | 3,
  layout: 'NCHW' | 'NHWC',
  height: number,
  width: number,
): void {
  const plane = height * width;
  const sample = (x: number, y: number, c: number): number => {
    const i = (y * img.width + x) * 4;
    const d = img.data;
    if (channels === 3) return (d[i + c] as number) / 255;
    return (0.299 * (d[i] as number) + 0.587 * (d[i + 1] as number) + 0.114 * (d[i + 2] as number)) / 255;
  };
  const sy = img.height / height;
  const sx = img.width / width;
  const same = img.height === height && img.width === width;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, img.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), img.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, img.width - 1);
      const wx = fx - x0;
      for (let c = 0; c < channels; c++) {
        const v = same
          ? sample(x, y, c)
          : (1 - wy) * ((1 - wx) * sample(x0, y0, c) + wx * sample(x1, y0, c)) +
            wy * ((1 - wx) * sample(x0, y1, c) + wx * sample(x1, y1, c));
        const at = layout === 'NCHW' ? c * plane + y * width + x : (y * width + x) * channels + c;
        out[offset + at] = v;
      }
    }
  }
}
