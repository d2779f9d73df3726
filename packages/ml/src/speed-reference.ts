/**
 * The speed reference: a fixed workload timed in every round of a cost measurement, so that a
 * measurement can be normalised to the speed its hardware profile was calibrated at.
 *
 * Why: a virtual machine's share of its host changes minute to minute (noisy neighbours, cache
 * and memory-bandwidth contention, frequency), without showing up as steal time or as other
 * processes. Measured on this project's machines: the same model re-measured minutes apart moved
 * by up to 1.3x while rounds within one measurement agreed to a few percent. A workload of the
 * same kind (tfjs inference on the same backend: convolutions, depthwise convolutions, dense
 * layers) timed right beside the model in each round slows down with it; the model's throughput
 * times (calibrated reference throughput / this round's reference throughput) is the throughput
 * the model has on the profile's hardware at its calibrated speed.
 *
 * The workload is fixed by REFERENCE_WORKLOAD: its architecture and seeded weights never change
 * under the same name (a calibration is only valid for the workload it was made with).
 */
import { tf } from "./tf.ts";

/** Names the workload below; change it whenever the workload changes (calibrations are per name). */
export const REFERENCE_WORKLOAD = "convmix-v1";

/** Input of the reference workload, one sample (height, width, channels). */
export const REFERENCE_INPUT_SHAPE = [24, 24, 16];

/**
 * A small image model of the usual ops (3x3 conv, depthwise 3x3, 1x1 conv, batch norm, ReLU6,
 * residual add, pooling, dense) with seeded weights: about 2 MMACs per sample, a few tenths of a
 * millisecond on one core, so timing it beside the model adds little to a measurement.
 */
export function buildSpeedReference(): tf.LayersModel {
  let seed = 7_001;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const input = tf.input({ shape: REFERENCE_INPUT_SHAPE, name: "reference_input" });
  const stem = tf.layers
    .conv2d({ filters: 32, kernelSize: 3, padding: "same", kernelInitializer: init(), name: "ref_stem" })
    .apply(input) as tf.SymbolicTensor;
  const relu6 = (name: string) => tf.layers.reLU({ maxValue: 6, name });
  const a = relu6("ref_relu_a").apply(stem) as tf.SymbolicTensor;
  const dw = tf.layers
    .depthwiseConv2d({ kernelSize: 3, padding: "same", depthwiseInitializer: init(), name: "ref_dw" })
    .apply(a) as tf.SymbolicTensor;
  const bn = tf.layers.batchNormalization({ name: "ref_bn" }).apply(dw) as tf.SymbolicTensor;
  const b = relu6("ref_relu_b").apply(bn) as tf.SymbolicTensor;
  const project = tf.layers
    .conv2d({ filters: 32, kernelSize: 1, kernelInitializer: init(), name: "ref_project" })
    .apply(b) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: "ref_add" }).apply([a, project]) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: "ref_pool" }).apply(sum) as tf.SymbolicTensor;
  const hidden = tf.layers
    .dense({ units: 128, activation: "relu", kernelInitializer: init(), name: "ref_dense" })
    .apply(pooled) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 10, activation: "softmax", kernelInitializer: init(), name: "ref_out" })
    .apply(hidden) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: "speed_reference" });
}
