/**
 * Gradient kernels the tfjs wasm backend (4.22) lacks, built from ops it has.
 *
 *  - Conv2DBackpropFilter               (gradient of conv2d w.r.t. its filter)
 *  - DepthwiseConv2dNativeBackpropFilter (gradient of depthwiseConv2d w.r.t. its filter)
 *  - DepthwiseConv2dNativeBackpropInput  (gradient of depthwiseConv2d w.r.t. its input)
 *
 * Without them, training any Conv2D / DepthwiseConv2D / SeparableConv2D layer on wasm throws
 * "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'".
 *
 * The filter gradients are a correlation of the (padded) input with the output gradient,
 * computed as one conv2d / depthwiseConv2d in which the forward stride becomes the dilation and
 * the forward dilation becomes the stride. The input gradient is a correlation of the
 * stride-dilated output gradient with the spatially flipped filter.
 */
import { tf } from "./tf.ts";

type Tensor4D = tf.Tensor4D;
type Pair = [number, number];
type Pad = "valid" | "same" | number | tf.backend_util.ExplicitPadding;
type RoundingMode = "floor" | "round" | "ceil" | undefined;
type KernelParams = Parameters<tf.KernelFunc>[0];

function pair(v: number | Pair | undefined, fallback = 1): Pair {
  if (v === undefined || v === null) return [fallback, fallback];
  return typeof v === "number" ? [v, v] : [v[0], v[1]];
}

function asTensor(info: tf.TensorInfo): tf.Tensor {
  // Ops hand Tensors to runKernel; a bare TensorInfo gets a (tidy-disposed) Tensor view.
  return info instanceof tf.Tensor ? info : tf.engine().makeTensorFromTensorInfo(info);
}

/** Pads (positive amounts) or crops (negative amounts) the two spatial axes of an NHWC tensor. */
function padOrCrop(x: Tensor4D, top: number, bottom: number, left: number, right: number): Tensor4D {
  const [b, h, w, c] = x.shape;
  let out = x;
  const cropTop = Math.max(0, -top);
  const cropBottom = Math.max(0, -bottom);
  const cropLeft = Math.max(0, -left);
  const cropRight = Math.max(0, -right);
  if (cropTop || cropBottom || cropLeft || cropRight) {
    out = tf.slice(out, [0, cropTop, cropLeft, 0], [b, h - cropTop - cropBottom, w - cropLeft - cropRight, c]);
  }
  const pt = Math.max(0, top);
  const pb = Math.max(0, bottom);
  const pl = Math.max(0, left);
  const pr = Math.max(0, right);
  if (pt || pb || pl || pr) {
    out = tf.pad(out, [
      [0, 0],
      [pt, pb],
      [pl, pr],
      [0, 0],
    ]);
  }
  return out;
}

/**
 * Pads/crops the input so its spatial extent is exactly what the forward convolution read:
 * (out - 1) * stride + (filter - 1) * dilation + 1, starting at -padTop / -padLeft. The output
 * size is taken from dy (tfjs's conv2d gradient drops dimRoundingMode, dy's shape does not lie).
 */
function inputWindow(x: Tensor4D, dy: Tensor4D, info: tf.backend_util.Conv2DInfo): Tensor4D {
  const [, outH, outW] = dy.shape;
  const extentH = (outH - 1) * info.strideHeight + (info.filterHeight - 1) * info.dilationHeight + 1;
  const extentW = (outW - 1) * info.strideWidth + (info.filterWidth - 1) * info.dilationWidth + 1;
  const { top, left } = info.padInfo;
  return padOrCrop(x, top, extentH - top - info.inHeight, left, extentW - left - info.inWidth);
}

/** dW[kh,kw,ci,co] = sum_{b,i,j} x[b, i*s + kh*d - pad, j*s + kw*d - pad, ci] * dy[b,i,j,co] */
export function conv2dFilterGradient(
  x: Tensor4D,
  dy: Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | Pair,
  pad: Pad,
  dilations: number | Pair = 1,
  dimRoundingMode?: RoundingMode,
): Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, dilations, pad, dimRoundingMode);
    const xWin = inputWindow(x, dy, info);
    const xT = tf.transpose(xWin, [3, 1, 2, 0]); // [ci, H, W, B]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [oh, ow, B, co] used as a filter
    const r = tf.conv2d(xT, dyT, [info.dilationHeight, info.dilationWidth], "valid", "NHWC", [
      info.strideHeight,
      info.strideWidth,
    ]); // [ci, KH, KW, co]
    return tf.transpose(r, [1, 2, 0, 3]);
  });
}

/** dW[kh,kw,c,m] = sum_{b,i,j} x[b, i*s + kh*d - pad, j*s + kw*d - pad, c] * dy[b,i,j,c*M+m] */
export function depthwiseFilterGradient(
  x: Tensor4D,
  dy: Tensor4D,
  filterShape: [number, number, number, number],
  strides: number | Pair,
  pad: Pad,
  dilations: number | Pair = 1,
  dimRoundingMode?: RoundingMode,
): Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(
      x.shape,
      filterShape,
      strides,
      dilations,
      pad,
      dimRoundingMode,
      true,
    );
    const [batch] = x.shape;
    const [kh, kw, inC, mult] = filterShape;
    const xWin = inputWindow(x, dy, info);
    const [, eh, ew] = xWin.shape;
    // channels (c, b) side by side: one depthwise channel per (input channel, example)
    const xT = tf.reshape(tf.transpose(xWin, [1, 2, 3, 0]), [1, eh, ew, inC * batch]) as Tensor4D;
    const [, oh, ow] = dy.shape;
    const filt = tf.reshape(tf.transpose(tf.reshape(dy, [batch, oh, ow, inC, mult]), [1, 2, 3, 0, 4]), [
      oh,
      ow,
      inC * batch,
      mult,
    ]) as Tensor4D;
    const r = tf.depthwiseConv2d(xT, filt, [info.dilationHeight, info.dilationWidth], "valid", "NHWC", [
      info.strideHeight,
      info.strideWidth,
    ]); // [1, KH, KW, inC*batch*mult]
    return tf.sum(tf.reshape(r, [kh, kw, inC, batch, mult]), 3) as Tensor4D;
  });
}

/** Inserts stride-1 zeros between the rows and columns of dy (the transpose of striding). */
function dilateSpatial(dy: Tensor4D, sh: number, sw: number): Tensor4D {
  let out = dy;
  const [b, oh, ow, c] = dy.shape;
  if (sh > 1) {
    const r = tf.reshape(out, [b, oh, 1, ow * c]);
    const p = tf.pad(r, [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
    ]);
    out = tf.slice(tf.reshape(p, [b, oh * sh, ow, c]) as Tensor4D, [0, 0, 0, 0], [b, (oh - 1) * sh + 1, ow, c]);
  }
  if (sw > 1) {
    const h = out.shape[1];
    const r = tf.reshape(out, [b * h, ow, 1, c]);
    const p = tf.pad(r, [
      [0, 0],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    out = tf.slice(tf.reshape(p, [b, h, ow * sw, c]) as Tensor4D, [0, 0, 0, 0], [b, h, (ow - 1) * sw + 1, c]);
  }
  return out;
}

/** dx[b,y,x,c] = sum_{kh,kw,m} dy[b, (y + pad - kh*d)/s, (x + pad - kw*d)/s, c*M+m] * W[kh,kw,c,m] */
export function depthwiseInputGradient(
  inputShape: [number, number, number, number],
  dy: Tensor4D,
  filter: Tensor4D,
  strides: number | Pair,
  pad: Pad,
  dilations: number | Pair = 1,
  dimRoundingMode?: RoundingMode,
): Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape,
      strides,
      dilations,
      pad,
      dimRoundingMode,
      true,
    );
    const [batch, inH, inW, inC] = inputShape;
    const [kh, kw, , mult] = filter.shape;
    const dh = info.dilationHeight;
    const dw = info.dilationWidth;
    const dyD = dilateSpatial(dy, info.strideHeight, info.strideWidth);
    const padTop = (kh - 1) * dh - info.padInfo.top;
    const padLeft = (kw - 1) * dw - info.padInfo.left;
    const lenH = inH + (kh - 1) * dh;
    const lenW = inW + (kw - 1) * dw;
    const dyP = padOrCrop(dyD, padTop, lenH - padTop - dyD.shape[1], padLeft, lenW - padLeft - dyD.shape[2]);
    const flipped = tf.reshape(tf.reverse(filter, [0, 1]), [kh, kw, inC * mult, 1]) as Tensor4D;
    const r = tf.depthwiseConv2d(dyP, flipped, 1, "valid", "NHWC", [dh, dw]); // [B, H, W, inC*mult]
    return tf.sum(tf.reshape(r, [batch, inH, inW, inC, mult]), 4) as Tensor4D;
  });
}

/**
 * dx of conv2d: the stride-dilated dy correlated with the flipped filter, its in/out channels
 * swapped. One XNNPACK conv2d; wasm's own Conv2DBackpropInput is a plain loop, ~10x slower.
 */
function conv2dInputGradient(
  inputShape: [number, number, number, number],
  dy: Tensor4D,
  filter: Tensor4D,
  strides: number | Pair,
  pad: Pad,
  dilations: number | Pair = 1,
  dimRoundingMode?: RoundingMode,
): Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape, strides, dilations, pad, dimRoundingMode);
    const [, inH, inW] = inputShape;
    const [kh, kw] = filter.shape;
    const dh = info.dilationHeight;
    const dw = info.dilationWidth;
    const dyD = dilateSpatial(dy, info.strideHeight, info.strideWidth);
    const padTop = (kh - 1) * dh - info.padInfo.top;
    const padLeft = (kw - 1) * dw - info.padInfo.left;
    const lenH = inH + (kh - 1) * dh;
    const lenW = inW + (kw - 1) * dw;
    const dyP = padOrCrop(dyD, padTop, lenH - padTop - dyD.shape[1], padLeft, lenW - padLeft - dyD.shape[2]);
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as Tensor4D; // [KH, KW, out, in]
    return tf.conv2d(dyP, flipped, 1, "valid", "NHWC", [dh, dw]);
  });
}

function toNhwc(t: tf.Tensor, dataFormat: unknown): Tensor4D {
  const t4 = t as Tensor4D;
  return dataFormat === "NCHW" ? tf.transpose(t4, [0, 2, 3, 1]) : t4;
}

const conv2DBackpropFilter: tf.KernelFunc = ({ inputs, attrs }: KernelParams) => {
  const a = (attrs ?? {}) as Record<string, unknown>;
  return tf.tidy(() => {
    const x = toNhwc(asTensor(inputs.x as tf.TensorInfo), a.dataFormat);
    const dy = toNhwc(asTensor(inputs.dy as tf.TensorInfo), a.dataFormat);
    return conv2dFilterGradient(
      x,
      dy,
      a.filterShape as [number, number, number, number],
      a.strides as Pair,
      a.pad as Pad,
      pair(a.dilations as Pair | undefined),
      a.dimRoundingMode as RoundingMode,
    );
  });
};

const conv2DBackpropInput: tf.KernelFunc = ({ inputs, attrs }: KernelParams) => {
  const a = (attrs ?? {}) as Record<string, unknown>;
  const nchw = a.dataFormat === "NCHW";
  return tf.tidy(() => {
    let inputShape = a.inputShape as [number, number, number, number];
    if (nchw) inputShape = [inputShape[0], inputShape[2], inputShape[3], inputShape[1]];
    const dy = toNhwc(asTensor(inputs.dy as tf.TensorInfo), a.dataFormat);
    const dx = conv2dInputGradient(
      inputShape,
      dy,
      asTensor(inputs.filter as tf.TensorInfo) as Tensor4D,
      a.strides as Pair,
      a.pad as Pad,
      pair(a.dilations as Pair | undefined),
      a.dimRoundingMode as RoundingMode,
    );
    return nchw ? tf.transpose(dx, [0, 3, 1, 2]) : dx;
  });
};

const depthwiseBackpropFilter: tf.KernelFunc = ({ inputs, attrs }: KernelParams) => {
  const a = (attrs ?? {}) as Record<string, unknown>;
  return tf.tidy(() =>
    depthwiseFilterGradient(
      asTensor(inputs.x as tf.TensorInfo) as Tensor4D,
      asTensor(inputs.dy as tf.TensorInfo) as Tensor4D,
      a.filterShape as [number, number, number, number],
      a.strides as Pair,
      a.pad as Pad,
      pair(a.dilations as Pair | undefined),
      a.dimRoundingMode as RoundingMode,
    ),
  );
};

const depthwiseBackpropInput: tf.KernelFunc = ({ inputs, attrs }: KernelParams) => {
  const a = (attrs ?? {}) as Record<string, unknown>;
  return tf.tidy(() =>
    depthwiseInputGradient(
      a.inputShape as [number, number, number, number],
      asTensor(inputs.dy as tf.TensorInfo) as Tensor4D,
      asTensor(inputs.filter as tf.TensorInfo) as Tensor4D,
      a.strides as Pair,
      a.pad as Pad,
      pair(a.dilations as Pair | undefined),
      a.dimRoundingMode as RoundingMode,
    ),
  );
};

/**
 * tfjs-core's FusedBatchNorm gradient w.r.t. x tiles 1/sqrt(variance + eps) to the full shape of
 * x before multiplying, and wasm's Tile is slow: measured 2.4 s of a 5.4 s MobileNetV2 (96x96,
 * alpha 0.35, batch 32) training step. The same product by broadcasting; the other gradients
 * (mean, variance, scale, offset) are tfjs's own. Registered for every backend (gradients are
 * global): same values, fewer ops.
 */
let batchNormGradientPatched = false;

export function registerBatchNormGradient(): boolean {
  if (batchNormGradientPatched) return false;
  const original = tf.getGradient("FusedBatchNorm");
  if (!original) return false;
  batchNormGradientPatched = true;
  tf.registerGradient({
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const grads = original.gradFunc(dy, saved, attrs) as Record<string, () => tf.Tensor>;
      const [x, , variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined];
      const eps = Number((attrs as Record<string, unknown>).varianceEpsilon);
      return {
        ...grads,
        x: () => {
          const inv = tf.rsqrt(tf.add(variance, tf.scalar(eps)));
          return tf.reshape(tf.mul(dy as tf.Tensor, scale == null ? inv : tf.mul(inv, scale)), x.shape);
        },
      };
    },
  });
  return true;
}

const replaced = new Set<string>();

/**
 * Registers the three kernels for 'wasm' (once; a kernel wasm already has is left alone), and
 * replaces wasm's slow Conv2DBackpropInput (measured: ~190 ms of a 470 ms CNN training step at
 * batch 64) with the conv2d-based one and the FusedBatchNorm gradient with one without Tile
 * (registerBatchNormGradient). Returns the kernel names registered by this call.
 */
export function registerWasmGradients(): string[] {
  const kernels: Array<[string, tf.KernelFunc]> = [
    ["Conv2DBackpropFilter", conv2DBackpropFilter],
    ["DepthwiseConv2dNativeBackpropFilter", depthwiseBackpropFilter],
    ["DepthwiseConv2dNativeBackpropInput", depthwiseBackpropInput],
  ];
  const registered: string[] = [];
  registerBatchNormGradient();
  if (!replaced.has("Conv2DBackpropInput")) {
    replaced.add("Conv2DBackpropInput");
    if (tf.getKernel("Conv2DBackpropInput", "wasm") !== undefined) tf.unregisterKernel("Conv2DBackpropInput", "wasm");
    tf.registerKernel({ kernelName: "Conv2DBackpropInput", backendName: "wasm", kernelFunc: conv2DBackpropInput });
    registered.push("Conv2DBackpropInput");
  }
  for (const [kernelName, kernelFunc] of kernels) {
    if (tf.getKernel(kernelName, "wasm") === undefined) {
      tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
      registered.push(kernelName);
    }
  }
  return registered;
}
