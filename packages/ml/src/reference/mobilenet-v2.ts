/**
 * MobileNetV2 (Sandler et al. 2018) built with tf.layers, laid out like Keras'
 * `tf.keras.applications.MobileNetV2`: a 3x3 stride-2 stem, 17 inverted residual blocks
 * (1x1 expand, 3x3 DepthwiseConv2D, 1x1 linear project, each followed by BatchNorm; ReLU6
 * after expand and depthwise; an Add skip where input and output match), a 1x1 conv to
 * 1280 channels, global average pooling and a softmax Dense.
 *
 * Differences from Keras: stride-2 depthwise convs use padding 'same' instead of an explicit
 * ZeroPadding2D + 'valid' (same shapes, different border pixels); BatchNorm momentum is 0.9
 * (Keras: 0.999) so the moving statistics follow brief training; no Dropout before the Dense.
 */
import { tf } from "../tf.ts";

export interface MobileNetV2Options {
  /** [height, width, channels], e.g. [224, 224, 3]. */
  inputShape: [number, number, number];
  classes: number;
  /** Width multiplier alpha (1.0 = the standard widths). */
  alpha?: number;
  /** Seed of the initial weights. */
  seed?: number;
  name?: string;
  /** BatchNorm momentum of the moving statistics (default 0.9). */
  batchNormMomentum?: number;
  /**
   * Start the BatchNorm scale (gamma) after each residual block's projection at 0, so each
   * block starts as the identity (Goyal et al. 2017); trains faster from scratch. Default true.
   */
  zeroInitResidual?: boolean;
}

/** The standard block table: expansion t, output channels c, repeats n, first stride s. */
const MOBILENET_V2_BLOCKS: readonly { t: number; c: number; n: number; s: number }[] = [
  { t: 1, c: 16, n: 1, s: 1 },
  { t: 6, c: 24, n: 2, s: 2 },
  { t: 6, c: 32, n: 3, s: 2 },
  { t: 6, c: 64, n: 4, s: 2 },
  { t: 6, c: 96, n: 3, s: 1 },
  { t: 6, c: 160, n: 3, s: 2 },
  { t: 6, c: 320, n: 1, s: 1 },
];

/** Keras' _make_divisible: the nearest multiple of `divisor`, never 10 % below `v`. */
function makeDivisible(v: number, divisor = 8): number {
  let n = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

/** Number of DepthwiseConv2D / BatchNormalization / Add layers of the architecture. */
export function mobileNetV2LayerCounts(): { depthwise: number; batchNorm: number; add: number; blocks: number } {
  let blocks = 0;
  let add = 0;
  let expand = 0;
  let inC = 32;
  for (const b of MOBILENET_V2_BLOCKS) {
    for (let i = 0; i < b.n; i++) {
      const stride = i === 0 ? b.s : 1;
      if (blocks > 0) expand++;
      if (stride === 1 && inC === b.c) add++;
      inC = b.c;
      blocks++;
    }
  }
  // stem + (expand + depthwise + project per block) + last conv
  return { depthwise: blocks, batchNorm: 1 + expand + 2 * blocks + 1, add, blocks };
}

/** A seeded, untrained MobileNetV2 LayersModel (functional). */
export function buildMobileNetV2(opts: MobileNetV2Options): tf.LayersModel {
  const alpha = opts.alpha ?? 1;
  const momentum = opts.batchNormMomentum ?? 0.9;
  let k = (opts.seed ?? 0) % 1_000_000;
  const he = () => tf.initializers.heNormal({ seed: k++ });
  const glorot = () => tf.initializers.glorotUniform({ seed: k++ });
  const zeroResidual = opts.zeroInitResidual ?? true;
  const bn = (x: tf.SymbolicTensor, name: string, zeroGamma = false) =>
    tf.layers
      .batchNormalization({
        axis: -1,
        epsilon: 1e-3,
        momentum,
        name,
        ...(zeroGamma ? { gammaInitializer: "zeros" } : {}),
      })
      .apply(x) as tf.SymbolicTensor;
  const relu6 = (x: tf.SymbolicTensor, name: string) =>
    tf.layers.reLU({ maxValue: 6, name }).apply(x) as tf.SymbolicTensor;
  const conv1x1 = (x: tf.SymbolicTensor, filters: number, name: string) =>
    tf.layers
      .conv2d({ filters, kernelSize: 1, padding: "same", useBias: false, kernelInitializer: he(), name })
      .apply(x) as tf.SymbolicTensor;

  const input = tf.input({ shape: opts.inputShape, name: "input" });
  const stem = makeDivisible(32 * alpha);
  let x = tf.layers
    .conv2d({
      filters: stem,
      kernelSize: 3,
      strides: 2,
      padding: "same",
      useBias: false,
      kernelInitializer: he(),
      name: "Conv1",
    })
    .apply(input) as tf.SymbolicTensor;
  x = relu6(bn(x, "bn_Conv1"), "Conv1_relu");

  let inC = stem;
  let id = 0;
  for (const b of MOBILENET_V2_BLOCKS) {
    const outC = makeDivisible(b.c * alpha);
    for (let i = 0; i < b.n; i++, id++) {
      const stride = i === 0 ? b.s : 1;
      const p = `block_${id}_`;
      const blockIn = x;
      let h = x;
      if (id > 0) h = relu6(bn(conv1x1(h, inC * b.t, `${p}expand`), `${p}expand_BN`), `${p}expand_relu`);
      h = tf.layers
        .depthwiseConv2d({
          kernelSize: 3,
          strides: stride,
          padding: "same",
          useBias: false,
          depthwiseInitializer: he(),
          name: `${p}depthwise`,
        })
        .apply(h) as tf.SymbolicTensor;
      h = relu6(bn(h, `${p}depthwise_BN`), `${p}depthwise_relu`);
      const residual = stride === 1 && inC === outC;
      h = bn(conv1x1(h, outC, `${p}project`), `${p}project_BN`, residual && zeroResidual);
      if (residual) h = tf.layers.add({ name: `${p}add` }).apply([blockIn, h]) as tf.SymbolicTensor;
      x = h;
      inC = outC;
    }
  }
  const last = alpha > 1 ? makeDivisible(1280 * alpha) : 1280;
  x = relu6(bn(conv1x1(x, last, "Conv_1"), "Conv_1_bn"), "out_relu");
  x = tf.layers.globalAveragePooling2d({ name: "global_average_pooling2d" }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: opts.classes, activation: "softmax", kernelInitializer: glorot(), name: "classes" })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: opts.name ?? "mobilenet_v2" });
}
