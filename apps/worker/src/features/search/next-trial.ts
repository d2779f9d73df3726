import type { SearchRecovery } from "@costgate/core";
import type { ChainStep } from "../apply-step.ts";

/**
 * The SEARCH's sparsity phase as a pure decision: the next structured-pruning level from the
 * outcomes so far, by bisection on [min, max] starting at `start`. Within the guardrail and
 * measurably cheaper → try higher; over the guardrail → try lower. A level within the guardrail
 * that saves nothing measurable sends the search to `max` once (if even that saves nothing, no
 * level does); a level over the guardrail that saves nothing ends it (lower levels save less).
 * It stops when the interval left is narrower than `resolution`, or when structured pruning
 * can remove nothing from the model. A function of the history alone, so a resumed job
 * rebuilds the same decisions from its stored trials.
 */
export const SPARSITY = { min: 0.1, max: 0.9, start: 0.5, resolution: 0.05 } as const;

/** At most this many sparsity levels are tried (checked over every outcome sequence in the unit test). */
export const MAX_SPARSITY_TRIALS = 5;

export type SparsityOutcome =
  | { sparsity: number; removedNothing: true; prunableLayers: boolean }
  | { sparsity: number; removedNothing?: false; withinGuardrail: boolean; saves: boolean };

export type SparsityDecision = { next: number } | { stop: string };

const EPS = 1e-9;
const round = (x: number) => Math.round(x * 1000) / 1000;
const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

export function nextSparsity(history: readonly SparsityOutcome[]): SparsityDecision {
  let lo: number = SPARSITY.min;
  let hi: number = SPARSITY.max;
  let next: number = SPARSITY.start;
  let probedTop = false;
  for (const o of history) {
    const s = o.sparsity;
    if (o.removedNothing) {
      if (!o.prunableLayers)
        return {
          stop: "structured pruning removes nothing from this model (it leaves the output layer, and the model has no other Dense or convolution layer to prune)",
        };
      lo = s; // nothing removed, nothing lost: look higher
    } else if (o.withinGuardrail && o.saves) {
      lo = s;
    } else if (o.withinGuardrail) {
      lo = s;
      if (s >= SPARSITY.max - EPS || probedTop)
        return { stop: `no sparsity level saves measurable cost (not even ${pct(s)} within the guardrail)` };
      if (hi >= SPARSITY.max - EPS) {
        probedTop = true;
        next = SPARSITY.max;
        continue;
      }
    } else if (o.saves) {
      hi = s;
    } else {
      return {
        stop: `pruning ${pct(s)} misses the guardrail and saves no measurable cost, so lower levels cannot save more`,
      };
    }
    if (hi - lo < SPARSITY.resolution + EPS)
      return { stop: `sparsity narrowed to ${pct(lo)}–${pct(hi)} (closer than ${pct(SPARSITY.resolution)})` };
    next = round((lo + hi) / 2);
  }
  return { next };
}

/** The most trials a SEARCH makes: its sparsity levels and one per dtype, or maxTrials when smaller. */
export function trialLimit(maxTrials: number | undefined, dtypes: number): number {
  return Math.min(maxTrials ?? Infinity, MAX_SPARSITY_TRIALS + dtypes);
}

/**
 * The training after each prune that wins back accuracy: SGD fine-tuning on the TRAIN dataset,
 * or distillation from the job's source version (TRAIN inputs, else UNLABELED ones). Short, as
 * every trial pays for it: two epochs. The batch is as large as memory allows (recoveryBatchSize).
 */
export function recoveryStep(
  recovery: Exclude<SearchRecovery, "none">,
  /** Values in one input example (224x224x3 = 150,528); null when the model.json does not say. */
  inputElements: number | null,
): ChainStep {
  const batchSize = recoveryBatchSize(inputElements);
  return recovery === "fine_tune"
    ? { kind: "FINE_TUNE", params: { epochs: 2, learningRate: 0.01, batchSize, momentum: 0.9 } }
    : { kind: "DISTILL", params: { epochs: 2, learningRate: 0.05, batchSize, temperature: 2 } };
}

/**
 * Values of input per training batch that fit TensorFlow.js' wasm memory with the activations and
 * gradients of a MobileNetV2-like network: 32 images of 64x64x3. Measured: MobileNetV2 at
 * 224x224x3 trains at batch 4 and aborts with "memory access out of bounds" at batch 8 (the
 * reference generator) and at 32 (a SEARCH's recovery before this rule).
 */
const BATCH_INPUT_VALUES = 32 * 64 * 64 * 3;

/** The recovery's batch: 32, halved until a batch holds at most BATCH_INPUT_VALUES input values, at least 4. */
export function recoveryBatchSize(inputElements: number | null): number {
  let batch = 32;
  while (inputElements !== null && batch > 4 && batch * inputElements > BATCH_INPUT_VALUES) batch /= 2;
  return batch;
}
