import { A, attrInt, attrInts, attrString } from '../attrs.js';
import { INT64_MAX } from '../emit.js';
import type { Dim } from '../infer.js';
import type { GradRule, RuleCtx } from './rule.js';

interface Window {
  nsp: number;
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Explicit pads [b0, b1, …, e0, e1, …]. */
  pads: number[];
}

/** Kernel, strides, dilations and explicit pads of a Conv/pool node (auto_pad SAME needs static dims). */
function windowOf(c: RuleCtx, kernelFromWeight: boolean): Window {
  const xd = c.gi.get(c.x(0)).dims;
  if (!xd) return c.unsupported('the input rank is not known statically');
  const nsp = xd.length - 2;
  const wd = c.gi.get(c.x(1)).dims;
  const kernel =
    attrInts(c.node, 'kernel_shape') ??
    (kernelFromWeight && wd ? (wd.slice(2) as Dim[]).map((d) => d ?? -1) : []);
  if (kernel.length !== nsp || kernel.some((k) => k < 1))
    c.unsupported('the kernel shape is not known statically');
  const strides = attrInts(c.node, 'strides') ?? kernel.map(() => 1);
  const dilations = attrInts(c.node, 'dilations') ?? kernel.map(() => 1);
  const autoPad = attrString(c.node, 'auto_pad', 'NOTSET');
  let pads = attrInts(c.node, 'pads') ?? kernel.flatMap(() => [0, 0]);
  if (autoPad === 'VALID') pads = kernel.flatMap(() => [0, 0]);
  else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const begin: number[] = [];
    const end: number[] = [];
    for (let i = 0; i < nsp; i++) {
      const x = xd[i + 2];
      if (x == null) return c.unsupported(`auto_pad ${autoPad} with unknown spatial size`);
      const s = strides[i] as number;
      const eff = ((kernel[i] as number) - 1) * (dilations[i] as number) + 1;
      const total = Math.max(0, (Math.ceil(x / s) - 1) * s + eff - x);
      const small = Math.floor(total / 2);
      begin.push(autoPad === 'SAME_UPPER' ? small : total - small);
      end.push(autoPad === 'SAME_UPPER' ? total - small : small);
    }
    pads = [...begin, ...end];
  } else if (autoPad !== 'NOTSET') c.unsupported(`auto_pad ${autoPad}`);
  return { nsp, kernel, strides, dilations, pads };
}

/**
 * dX of a window op: ConvTranspose(dY, weight) over the same window. Its full output covers the padded
 * input up to the last window; the begin pads are cropped by ConvTranspose, the end is cropped or
 * zero-padded to X's size (trailing inputs no window reached get no gradient; end padding the windows
 * did not reach must not be cropped off real inputs).
 */
function transposeWindow(c: RuleCtx, dy: string, weight: string, w: Window, group: number): string {
  const e = c.e;
  const xd = c.gi.get(c.x(0)).dims;
  const yd = c.gi.get(c.y(0)).dims;
  const rank = w.nsp + 2;
  const begin = w.pads.slice(0, w.nsp);
  const attrs = (end: number[]) => [
    A.ints('strides', w.strides),
    A.ints('dilations', w.dilations),
    A.ints('pads', [...begin, ...end]),
    A.int('group', group),
  ];
  if (xd && yd && xd.slice(2).every((d) => d !== null) && yd.slice(2).every((d) => d !== null)) {
    const end: number[] = [];
    const diff: number[] = [];
    w.kernel.forEach((k, i) => {
      const full =
        ((yd[i + 2] as number) - 1) * (w.strides[i] as number) + (k - 1) * (w.dilations[i] as number) + 1;
      const over = full - (begin[i] as number) - (xd[i + 2] as number);
      end.push(Math.max(0, over));
      diff.push(Math.max(0, -over));
    });
    const t = e.op('ConvTranspose', [dy, weight], attrs(end));
    return diff.every((d) => d === 0) ? t : e.op('Pad', [t, e.i([...Array(rank + 2).fill(0), ...diff])]);
  }
  const t = e.op('ConvTranspose', [dy, weight], attrs(begin.map(() => 0)));
  const sp = (x: string) => e.op('Slice', [e.shape(x), e.i([2]), e.i([INT64_MAX])]);
  const axes = e.i(Array.from({ length: w.nsp }, (_, i) => i + 2));
  const cut = e.op('Slice', [t, e.i(begin.map(() => 0)), sp(c.x(0)), axes]);
  const short = e.op('Max', [e.op('Sub', [sp(c.x(0)), sp(cut)]), e.i(begin.map(() => 0))]);
  return e.op('Pad', [cut, e.op('Concat', [e.i(Array(rank + 2).fill(0)), short], [A.int('axis', 0)])]);
}

/** Conv: dX = ConvTranspose(dY, W) with the same window, fitted to X. */
const conv: GradRule = (c) => {
  const w = windowOf(c, true);
  const group = attrInt(c.node, 'group', 1);
  const out: (string | undefined)[] = [undefined, undefined, undefined];
  if (c.needs(1) || c.needs(2))
    c.unsupported('gradients with respect to Conv weights computed from the input');
  out[0] = transposeWindow(c, c.dyOrZero(0), c.x(1), w, group);
  return out;
};

/** ConvTranspose: dX = Conv(dY, W) with the same window (output_shape unsupported). */
const convTranspose: GradRule = (c) => {
  if (c.node.attrs.some((a) => a.name === 'output_shape')) c.unsupported('ConvTranspose with output_shape');
  if (attrString(c.node, 'auto_pad', 'NOTSET') !== 'NOTSET' && attrString(c.node, 'auto_pad', '') !== 'VALID')
    c.unsupported('ConvTranspose with auto_pad SAME');
  if (c.needs(1) || c.needs(2))
    c.unsupported('gradients with respect to ConvTranspose weights computed from the input');
  const xd = c.gi.get(c.x(0)).dims;
  const nsp = (xd?.length ?? c.e.rank(c.x(1), 'ConvTranspose')) - 2;
  const ones = Array(nsp).fill(1);
  const attrs = [
    A.ints('strides', attrInts(c.node, 'strides') ?? ones),
    A.ints('dilations', attrInts(c.node, 'dilations') ?? ones),
    A.ints(
      'pads',
      attrString(c.node, 'auto_pad', '') === 'VALID'
        ? [...ones, ...ones].map(() => 0)
        : (attrInts(c.node, 'pads') ?? [...ones, ...ones].map(() => 0)),
    ),
    A.int('group', attrInt(c.node, 'group', 1)),
  ];
  return [c.e.op('Conv', [c.dyOrZero(0), c.x(1)], attrs)];
};

/**
 * MaxPool: the forward node also outputs Indices (flat over N·C·spatial); the gradient is scattered
 * back with ScatterElements(reduction=add), so overlapping windows add up as they should.
 * Non-overlapping windows over a ReLU output take a cheaper route (nonOverlappingMaxPool).
 */
const maxPool: GradRule = (c) => {
  const e = c.e;
  if (attrInt(c.node, 'storage_order', 0) !== 0) c.unsupported('MaxPool with storage_order=1');
  const fast = nonOverlappingMaxPool(c);
  if (fast) return [fast];
  if (!c.node.output[1]) c.node.output[1] = e.fresh('maxpool_indices');
  const idx = c.node.output[1];
  const flat = e.i([-1]);
  const zeros = e.zeros(e.op('Reshape', [e.op('Size', [c.x(0)]), flat]));
  const s = e.op(
    'ScatterElements',
    [zeros, e.op('Reshape', [idx, flat]), e.op('Reshape', [c.dyOrZero(0), flat])],
    [A.int('axis', 0), A.string('reduction', 'add')],
  );
  return [e.reshapeLike(s, c.x(0))];
};

/**
 * dX of a MaxPool whose windows tile the input exactly (kernel = strides, no pads, no dilation, spatial
 * dims known and divisible) and whose input is a ReLU output: dX = Where(X = up(Y), up(dY), 0), `up`
 * repeating each output over its window (nearest-neighbour Resize). Where a window has several maxima this gives
 * each of them dY, where PyTorch and the Indices output pick the first; after a ReLU the only ties that
 * occur are at zero, and the ReLU's own gradient zeroes those, so the result is the same. About a third of
 * the cost of the scatter, and the forward MaxPool needs no Indices output (onnxruntime then runs its
 * faster blocked kernel). Undefined when the conditions do not hold.
 */
function nonOverlappingMaxPool(c: RuleCtx): string | undefined {
  const e = c.e;
  if (c.node.output[1] || c.producer(c.x(0))?.opType !== 'Relu') return undefined;
  if (attrInt(c.node, 'ceil_mode', 0) !== 0 || attrString(c.node, 'auto_pad', 'NOTSET') !== 'NOTSET')
    return undefined;
  const kernel = attrInts(c.node, 'kernel_shape');
  const xd = c.gi.get(c.x(0)).dims;
  if (!kernel || !xd || xd.length !== kernel.length + 2) return undefined;
  const strides = attrInts(c.node, 'strides') ?? kernel.map(() => 1);
  const dil = attrInts(c.node, 'dilations') ?? kernel.map(() => 1);
  const pads = attrInts(c.node, 'pads') ?? [];
  const spatial = xd.slice(2);
  const ok = kernel.every(
    (k, i) =>
      strides[i] === k && dil[i] === 1 && typeof spatial[i] === 'number' && (spatial[i] as number) % k === 0,
  );
  if (!ok || pads.some((p) => p !== 0)) return undefined;
  // Nearest-neighbour Resize by the integer kernel: each output repeated over its window ('asymmetric' +
  // 'floor' maps input pixel j to output j / k exactly). Measured faster than Reshape + Expand here.
  const scales = e.f([1, 1, ...kernel]);
  const up = (t: string) =>
    e.op(
      'Resize',
      [t, '', scales],
      [
        A.string('mode', 'nearest'),
        A.string('coordinate_transformation_mode', 'asymmetric'),
        A.string('nearest_mode', 'floor'),
      ],
    );
  const mask = e.op('Equal', [c.x(0), up(c.y(0))]);
  return e.op('Where', [mask, up(c.dyOrZero(0)), e.f(0)]);
}

/**
 * AveragePool: dX = ConvTranspose(dY / count, ones) depthwise, count = window size (count_include_pad=1
 * or no pads) or the number of real inputs in each window (count_include_pad=0 with pads).
 */
const averagePool: GradRule = (c) => {
  const e = c.e;
  const w = windowOf(c, false);
  if (attrInt(c.node, 'ceil_mode', 0) === 1) c.unsupported('AveragePool with ceil_mode=1');
  const ch = c.gi.get(c.x(0)).dims?.[1];
  if (ch == null) return c.unsupported('the channel count is not known statically');
  const size = w.kernel.reduce((a, b) => a * b, 1);
  const ones = e.f(Array(ch * size).fill(1), [ch, 1, ...w.kernel]);
  let dy = c.dyOrZero(0);
  const padded = w.pads.some((p) => p !== 0);
  if (padded && attrInt(c.node, 'count_include_pad', 0) === 0) {
    const attrs = [
      A.ints('kernel_shape', w.kernel),
      A.ints('strides', w.strides),
      A.ints('pads', w.pads),
      A.int('count_include_pad', 1),
    ];
    if (w.dilations.some((d) => d !== 1)) attrs.push(A.ints('dilations', w.dilations));
    const frac = e.op('AveragePool', [e.onesLike(c.x(0))], attrs);
    dy = e.op('Div', [dy, e.op('Mul', [frac, e.f(size)])]);
  } else dy = e.op('Div', [dy, e.f(size)]);
  return [transposeWindow(c, dy, ones, w, ch)];
};

/** GlobalAveragePool: dX = expand(dY) / (spatial size). */
const globalAveragePool: GradRule = (c) => {
  const e = c.e;
  const x = c.x(0);
  const n = e.op('Div', [e.toFloat(e.op('Size', [x])), e.toFloat(e.op('Size', [c.y(0)]))]);
  return [e.op('Div', [e.op('Expand', [c.dyOrZero(0), e.shape(x)]), n])];
};

export const CONV_RULES: Record<string, GradRule> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalAveragePool,
};
