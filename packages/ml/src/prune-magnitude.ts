/**
 * Magnitude (unstructured) pruning: sets the kernel weights with the smallest |w| to exactly
 * zero until a layer (scope 'per-layer') or the whole model (scope 'global') reaches the
 * target sparsity. Biases and BatchNormalization parameters are never touched.
 *
 * Exact by count: a layer of n kernel weights at sparsity s ends with round(s × n) zeros
 * (more only if it already had more). Ties at the threshold are broken by position, so the
 * result is deterministic. Zeros do not make tfjs faster (dense kernels); this is the
 * TF Model Optimization baseline and what fine-tuning with `preserveSparsity` keeps.
 *
 * Returns a new model; the input model is not modified.
 */
import { cloneModel } from "./clone-model.ts";
import { MlError } from "./errors.ts";
import { tf } from "./tf.ts";

type MagnitudeScope = "global" | "per-layer";

export interface MagnitudePruneOptions {
  /** Fraction of kernel weights to zero, 0 < sparsity < 1. */
  sparsity: number;
  /** 'per-layer' (default): every layer reaches `sparsity`; 'global': one threshold for all layers. */
  scope?: MagnitudeScope;
  /** Per-layer targets by layer name, 0 ≤ value < 1 (0 leaves the layer alone); pruned on their own. */
  layers?: Record<string, number>;
}

interface MagnitudeLayerResult {
  name: string;
  /** Kernel weights in the layer. */
  weights: number;
  /** Kernel weights that are exactly zero after pruning. */
  zeroed: number;
  /** zeroed / weights. */
  sparsity: number;
}

interface MagnitudePruneRecipe {
  method: "magnitude";
  sparsity: number;
  scope: MagnitudeScope;
  layerOverrides: Record<string, number>;
  layers: MagnitudeLayerResult[];
  total: { weights: number; zeroed: number; sparsity: number };
}

export interface MagnitudePruneResult {
  model: tf.LayersModel;
  recipe: MagnitudePruneRecipe;
}

interface KernelRef {
  layer: string;
  variable: tf.LayerVariable;
  values: Float32Array;
}

/** Kernel-like weights: 'kernel', 'depthwise_kernel', 'pointwise_kernel', 'recurrent_kernel'. */
export function isKernelWeight(originalName: string): boolean {
  const suffix = originalName.slice(originalName.lastIndexOf("/") + 1);
  return suffix === "kernel" || suffix.endsWith("_kernel");
}

function checkFraction(value: unknown, what: string, allowZero: boolean): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value >= 1 || (!allowZero && value === 0)) {
    throw new MlError(
      "BAD_PARAM",
      `${what} must be a number with ${allowZero ? "0 ≤ value < 1" : "0 < value < 1"} (got ${JSON.stringify(value)})`,
    );
  }
  return value;
}

/**
 * Zeros exactly `k` entries (the smallest |v|, ties by position) across `arrays` taken as one
 * sequence. Entries that are already zero count among the smallest.
 */
export function zeroSmallest(arrays: Float32Array[], k: number): void {
  const n = arrays.reduce((s, a) => s + a.length, 0);
  if (k <= 0 || n === 0) return;
  if (k >= n) {
    for (const a of arrays) a.fill(0);
    return;
  }
  const abs = new Float32Array(n);
  let o = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) abs[o++] = Math.abs(a[i] as number);
  abs.sort();
  const threshold = abs[k - 1] as number;
  let below = 0;
  for (let i = 0; i < k; i++) if ((abs[i] as number) < threshold) below++;
  let atThreshold = k - below; // how many entries equal to the threshold to zero, in order
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = Math.abs(a[i] as number);
      if (v < threshold) a[i] = 0;
      else if (v === threshold && atThreshold > 0) {
        a[i] = 0;
        atThreshold--;
      }
    }
  }
}

function countZeros(arrays: Float32Array[]): number {
  let z = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) if (a[i] === 0) z++;
  return z;
}

export async function pruneMagnitude(
  model: tf.LayersModel,
  opts: MagnitudePruneOptions,
): Promise<MagnitudePruneResult> {
  if (!(model instanceof tf.LayersModel)) {
    throw new MlError("NOT_A_LAYERS_MODEL", "pruneMagnitude needs a tf.LayersModel");
  }
  if (opts === null || typeof opts !== "object")
    throw new MlError("BAD_PARAM", "pruneMagnitude needs options { sparsity, scope }");
  const sparsity = checkFraction(opts.sparsity, "sparsity", false);
  const scope = opts.scope ?? "per-layer";
  if (scope !== "global" && scope !== "per-layer") {
    throw new MlError("BAD_PARAM", `scope must be 'global' or 'per-layer' (got ${JSON.stringify(scope)})`);
  }
  const overrides = opts.layers ?? {};
  if (typeof overrides !== "object" || overrides === null) {
    throw new MlError("BAD_PARAM", "layers must be an object of layer name → sparsity");
  }

  const kernelLayers = model.layers
    .filter((l) => l.weights.some((w) => isKernelWeight(w.originalName)))
    .map((l) => l.name);
  for (const [name, value] of Object.entries(overrides)) {
    if (!kernelLayers.includes(name)) {
      const has = model.layers.some((l) => l.name === name);
      throw new MlError(
        "BAD_PARAM",
        `layers: ${has ? `layer '${name}' has no kernel weights` : `the model has no layer '${name}'`} (layers with kernels: ${kernelLayers.join(", ") || "none"})`,
      );
    }
    checkFraction(value, `layers['${name}']`, true);
  }

  const clone = await cloneModel(model);
  const kernels: KernelRef[] = [];
  for (const layer of clone.layers) {
    for (const w of layer.weights) {
      if (!isKernelWeight(w.originalName)) continue;
      kernels.push({ layer: layer.name, variable: w, values: new Float32Array(w.read().dataSync() as Float32Array) });
    }
  }
  const layerNames = [...new Set(kernels.map((k) => k.layer))];

  const arraysOf = (name: string): Float32Array[] => kernels.filter((k) => k.layer === name).map((k) => k.values);
  const size = (arrays: Float32Array[]): number => arrays.reduce((s, a) => s + a.length, 0);
  const pooled: Float32Array[] = [];
  for (const name of layerNames) {
    const arrays = arraysOf(name);
    const target = overrides[name] ?? (scope === "per-layer" ? sparsity : null);
    if (target === null) pooled.push(...arrays);
    else zeroSmallest(arrays, Math.round(target * size(arrays)));
  }
  if (pooled.length > 0) zeroSmallest(pooled, Math.round(sparsity * size(pooled)));

  for (const k of kernels) {
    const t = tf.tensor(k.values, k.variable.shape as number[], "float32");
    k.variable.write(t);
    t.dispose();
  }

  const layers = layerNames.map((name) => {
    const arrays = arraysOf(name);
    const weights = size(arrays);
    const zeroed = countZeros(arrays);
    return { name, weights, zeroed, sparsity: weights === 0 ? 0 : zeroed / weights };
  });
  const weights = layers.reduce((s, l) => s + l.weights, 0);
  const zeroed = layers.reduce((s, l) => s + l.zeroed, 0);
  return {
    model: clone,
    recipe: {
      method: "magnitude",
      sparsity,
      scope,
      layerOverrides: { ...overrides },
      layers,
      total: { weights, zeroed, sparsity: weights === 0 ? 0 : zeroed / weights },
    },
  };
}
