/**
 * Lazy TF.js set-up: tfjs-core with the wasm backend (binaries from the installed package, never a CDN),
 * the cpu backend when wasm cannot start, and tfjs-layers / tfjs-converter. Nothing here is imported
 * until a TF.js model is loaded.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type Tf = typeof import('@tensorflow/tfjs-core');
export type TfLayers = typeof import('@tensorflow/tfjs-layers');
export type TfConverter = typeof import('@tensorflow/tfjs-converter');

export interface TfRuntime {
  readonly tf: Tf;
  readonly layers: TfLayers;
  readonly converter: TfConverter;
  /** 'wasm', or 'cpu' when wasm failed to start (wasmError says why). */
  readonly backend: string;
  readonly wasmError?: string;
}

let runtime: Promise<TfRuntime> | undefined;

/** Starts TF.js once per process (`preferCpu` skips wasm; for tests). */
export function tfjsRuntime(options: { preferCpu?: boolean } = {}): Promise<TfRuntime> {
  runtime ??= start(options.preferCpu ?? false);
  return runtime;
}

async function start(preferCpu: boolean): Promise<TfRuntime> {
  const tf = await import('@tensorflow/tfjs-core');
  let wasmError: string | undefined;
  let backend = 'cpu';
  if (!preferCpu) {
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const dir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')));
      wasm.setWasmPaths({
        'tfjs-backend-wasm.wasm': join(dir, 'tfjs-backend-wasm.wasm'),
        'tfjs-backend-wasm-simd.wasm': join(dir, 'tfjs-backend-wasm-simd.wasm'),
        'tfjs-backend-wasm-threaded-simd.wasm': join(dir, 'tfjs-backend-wasm-threaded-simd.wasm'),
      });
      if (await tf.setBackend('wasm')) backend = 'wasm';
      else wasmError = 'the wasm backend did not initialise';
    } catch (e) {
      wasmError = (e as Error).message;
    }
  }
  if (backend !== 'wasm') {
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
  }
  await tf.ready();
  const [layers, converter] = await Promise.all([
    import('@tensorflow/tfjs-layers'),
    import('@tensorflow/tfjs-converter'),
  ]);
  // tfjs-layers registers the gradients; the replacement goes in after them.
  installDepthwiseInputGradient(tf);
  unfuseWhileDifferentiating(tf);
  if (backend === 'wasm') await bridgeMissingKernels(tf);
  return { tf, layers, converter, backend, ...(wasmError === undefined ? {} : { wasmError }) };
}

type T4 = import('@tensorflow/tfjs-core').Tensor4D;
type TensorT = import('@tensorflow/tfjs-core').Tensor;
interface FusedArgs {
  x: T4;
  filter: T4;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  bias?: TensorT;
  activation?: string;
  preluActivationWeights?: TensorT;
  leakyreluAlpha?: number;
}

/**
 * While a gradient is being taken, fused convolutions with a linear activation keep their own gradient,
 * which computes the filter gradient eagerly (Conv2DBackpropFilter: missing on wasm, and wasted work for
 * input gradients). Under tf.grad they run unfused (conv, bias add, activation), whose registered
 * gradients compute only what is asked for. Outside gradients the fused ops run as before.
 */
function unfuseWhileDifferentiating(tf: Tf): void {
  const fused = tf.fused as unknown as Record<string, (args: FusedArgs) => TensorT>;
  const activate = (y: TensorT, a: FusedArgs): TensorT => {
    switch (a.activation ?? 'linear') {
      case 'linear':
        return y;
      case 'relu':
        return tf.relu(y);
      case 'relu6':
        return tf.relu6(y);
      case 'elu':
        return tf.elu(y);
      case 'sigmoid':
        return tf.sigmoid(y);
      case 'prelu':
        return tf.prelu(y, a.preluActivationWeights as TensorT);
      case 'leakyrelu':
        return tf.leakyRelu(y, a.leakyreluAlpha ?? 0.2);
      default:
        throw new Error(`unknown fused activation ${a.activation}`);
    }
  };
  const wrap = (name: string, plain: (a: FusedArgs) => TensorT) => {
    const original = fused[name];
    if (original === undefined) return;
    fused[name] = (a: FusedArgs) => {
      if (tf.engine().state.gradientDepth === 0) return original(a);
      const y = plain(a);
      return activate(a.bias === undefined || a.bias === null ? y : tf.add(y, a.bias), a);
    };
  };
  wrap('conv2d', (a) =>
    tf.conv2d(
      a.x,
      a.filter,
      a.strides,
      a.pad,
      a.dataFormat ?? 'NHWC',
      a.dilations ?? [1, 1],
      a.dimRoundingMode,
    ),
  );
  wrap('depthwiseConv2d', (a) =>
    tf.depthwiseConv2d(
      a.x,
      a.filter,
      a.strides,
      a.pad,
      a.dataFormat ?? 'NHWC',
      a.dilations ?? [1, 1],
      a.dimRoundingMode,
    ),
  );
}

interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}
interface BackendLike {
  readSync(dataId: object): ArrayLike<number>;
  write(values: ArrayLike<number>, shape: number[], dtype: string): object;
  disposeData(dataId: object, force?: boolean): boolean;
}
interface WasmBackendLike extends BackendLike {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): { set(values: ArrayLike<number>): void };
}
type KernelFunc = (args: {
  inputs: Record<string, TensorInfo | undefined>;
  backend: unknown;
  attrs?: unknown;
}) => TensorInfo | TensorInfo[];

/**
 * Kernels the wasm backend lacks (Conv2DBackpropFilter, which fused convolutions' gradients call even for
 * input gradients, the depthwise backprops, FFT, …) run on the cpu backend: inputs are copied out of wasm
 * memory, the cpu kernel runs, outputs are copied back. Slower, but every gradient TF.js defines works.
 */
async function bridgeMissingKernels(tf: Tf): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  const cpu = tf.findBackend('cpu') as unknown as BackendLike | null;
  if (cpu === null) return;
  // The cpu backend greets Node users on its first write (on stderr); only cli/ prints.
  (cpu as unknown as { firstUse: boolean }).firstUse = false;
  for (const config of tf.getKernelsForBackend('cpu')) {
    if (tf.getKernel(config.kernelName, 'wasm') !== undefined) continue;
    const cpuKernel = config.kernelFunc as unknown as KernelFunc;
    tf.registerKernel({
      kernelName: config.kernelName,
      backendName: 'wasm',
      kernelFunc: (({ inputs, backend, attrs }) => {
        const wasm = backend as WasmBackendLike;
        const copied: object[] = [];
        const cpuInputs: Record<string, TensorInfo> = {};
        for (const [name, info] of Object.entries(inputs)) {
          if (info === undefined) continue;
          const dataId = cpu.write(wasm.readSync(info.dataId), info.shape, info.dtype);
          copied.push(dataId);
          cpuInputs[name] = { dataId, shape: info.shape, dtype: info.dtype };
        }
        try {
          const out = cpuKernel({ inputs: cpuInputs, backend: cpu, attrs });
          const back = (Array.isArray(out) ? out : [out]).map((o) => {
            const t = wasm.makeOutput(o.shape, o.dtype);
            wasm.typedArrayFromHeap(t).set(cpu.readSync(o.dataId));
            cpu.disposeData(o.dataId, true);
            return t;
          });
          return Array.isArray(out) ? back : back[0];
        } finally {
          for (const id of copied) cpu.disposeData(id, true);
        }
      }) as KernelFunc as never,
    });
  }
}

type Pad = 'same' | 'valid' | number | number[][];

/**
 * The wasm backend has no DepthwiseConv2dNativeBackpropInput kernel, so input gradients of MobileNets fail
 * there. This replaces the input half of DepthwiseConv2dNative's gradient (channel multiplier 1, dilation
 * 1) with ops wasm has: dy dilated by the stride, padded, and correlated with the flipped filter.
 * Anything else is left to the original gradient.
 */
function installDepthwiseInputGradient(tf: Tf): void {
  const original = tf.getGradient('DepthwiseConv2dNative');
  if (original === undefined) return;
  tf.registerGradient({
    kernelName: 'DepthwiseConv2dNative',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const grads = original.gradFunc(dy, saved, attrs);
      const [x, filter] = saved as [
        import('@tensorflow/tfjs-core').Tensor4D,
        import('@tensorflow/tfjs-core').Tensor4D,
      ];
      const a = attrs as {
        strides: number | [number, number];
        pad: Pad;
        dilations?: number | [number, number];
      };
      const dil = a.dilations ?? 1;
      const strides = typeof a.strides === 'number' ? [a.strides, a.strides] : a.strides;
      const simple =
        (dil === 1 || (Array.isArray(dil) && dil[0] === 1 && dil[1] === 1)) &&
        filter.shape[3] === 1 &&
        x.rank === 4;
      if (!simple) return grads;
      return {
        ...grads,
        x: () =>
          depthwiseInputGrad(
            tf,
            x.shape,
            dy as import('@tensorflow/tfjs-core').Tensor4D,
            filter,
            strides,
            a.pad,
          ),
      };
    },
  });
}

function depthwiseInputGrad(
  tf: Tf,
  xShape: readonly number[],
  dy: import('@tensorflow/tfjs-core').Tensor4D,
  filter: import('@tensorflow/tfjs-core').Tensor4D,
  strides: readonly number[],
  pad: Pad,
): import('@tensorflow/tfjs-core').Tensor4D {
  let g = dy;
  const pads: [number, number][] = [
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  const begin = [0, 0, 0, 0];
  for (const axis of [1, 2]) {
    const s = strides[axis - 1] as number;
    const size = xShape[axis] as number;
    const out = g.shape[axis] as number;
    const f = filter.shape[axis - 1] as number;
    if (s > 1) {
      // Insert s−1 zeros after each row (column): [.., out, ..] → [.., out, s, ..] → [.., out·s, ..].
      const e = tf.expandDims(g, axis + 1);
      const padE: [number, number][] = [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
      ];
      padE[axis + 1] = [0, s - 1];
      const shape = [...g.shape] as number[];
      shape[axis] = out * s;
      const full = tf.reshape(
        tf.pad(e, padE),
        shape as [number, number, number, number],
      ) as import('@tensorflow/tfjs-core').Tensor4D;
      const keep = [...g.shape] as number[];
      keep[axis] = (out - 1) * s + 1;
      g = tf.slice(full, [0, 0, 0, 0], keep as [number, number, number, number]);
    }
    const dilated = (out - 1) * s + 1;
    let before: number;
    if (pad === 'valid') before = 0;
    else if (pad === 'same') before = Math.floor(Math.max((out - 1) * s + f - size, 0) / 2);
    else if (typeof pad === 'number') before = pad;
    else before = (pad[axis] as number[])[0] as number;
    const left = f - 1 - before;
    const right = size + f - 1 - dilated - left;
    pads[axis] = [Math.max(left, 0), Math.max(right, 0)];
    begin[axis] = Math.max(-left, 0);
  }
  const padded = tf.pad(g, pads);
  const sizes = padded.shape.map((d, i) => d - (begin[i] as number)) as number[];
  for (const axis of [1, 2]) sizes[axis] = (xShape[axis] as number) + (filter.shape[axis - 1] as number) - 1;
  const window = tf.slice(
    padded,
    begin as [number, number, number, number],
    sizes as [number, number, number, number],
  );
  return tf.depthwiseConv2d(window, tf.reverse(filter, [0, 1]), 1, 'valid');
}
