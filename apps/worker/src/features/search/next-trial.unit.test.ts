import { describe, expect, it } from "vitest";
import {
  MAX_SPARSITY_TRIALS,
  SPARSITY,
  nextSparsity,
  recoveryBatchSize,
  recoveryStep,
  trialLimit,
  type SparsityOutcome,
} from "./next-trial.ts";

const ok = (sparsity: number, saves = true): SparsityOutcome => ({ sparsity, withinGuardrail: true, saves });
const miss = (sparsity: number, saves = true): SparsityOutcome => ({ sparsity, withinGuardrail: false, saves });

/** Runs the decision against a model whose answers `answer` gives, returning the levels tried and why it stopped. */
function simulate(answer: (s: number) => SparsityOutcome) {
  const history: SparsityOutcome[] = [];
  for (let i = 0; i < 50; i++) {
    const d = nextSparsity(history);
    if ("stop" in d) return { tried: history.map((h) => h.sparsity), stop: d.stop };
    history.push(answer(d.next));
  }
  throw new Error("never stopped");
}

describe("nextSparsity", () => {
  it("starts at 50%", () => {
    expect(nextSparsity([])).toEqual({ next: 0.5 });
  });

  it("goes higher while the guardrail holds and the saving is measurable, until the interval is under 5 points", () => {
    const { tried, stop } = simulate((s) => ok(s));
    expect(tried).toEqual([0.5, 0.7, 0.8, 0.85]);
    expect(stop).toMatch(/narrowed to 85%–90%/);
  });

  it("bisects towards the guardrail's edge: a model that keeps its accuracy up to 62%", () => {
    const { tried } = simulate((s) => (s <= 0.62 ? ok(s) : miss(s)));
    expect(tried).toEqual([0.5, 0.7, 0.6, 0.65]);
  });

  it("goes lower when the guardrail is missed, down to the bottom of the range", () => {
    const { tried, stop } = simulate((s) => miss(s));
    expect(tried).toEqual([0.5, 0.3, 0.2, 0.15]);
    expect(Math.min(...tried)).toBeGreaterThanOrEqual(SPARSITY.min);
    expect(stop).toMatch(/narrowed/);
  });

  it("tries the top once when a level within the guardrail saves nothing measurable, and stops if that saves nothing either", () => {
    const { tried, stop } = simulate((s) => ok(s, false));
    expect(tried).toEqual([0.5, 0.9]);
    expect(stop).toMatch(/no sparsity level saves measurable cost/);
  });

  it("bisects back down from the top when only the top saves but misses the guardrail", () => {
    const { tried } = simulate((s) => (s >= 0.9 ? miss(s, true) : s >= 0.7 ? ok(s, true) : ok(s, false)));
    expect(tried.slice(0, 3)).toEqual([0.5, 0.9, 0.7]);
  });

  it("stops a branch that misses the guardrail and saves nothing: lower levels save less", () => {
    const { tried, stop } = simulate((s) => miss(s, false));
    expect(tried).toEqual([0.5]);
    expect(stop).toMatch(/misses the guardrail and saves no measurable cost/);
  });

  it("stops at once when structured pruning can remove nothing (the linear model), and looks higher when only rounding removed nothing", () => {
    expect(simulate((s) => ({ sparsity: s, removedNothing: true, prunableLayers: false }))).toEqual({
      tried: [0.5],
      stop: expect.stringMatching(/removes nothing from this model/),
    });
    expect(nextSparsity([{ sparsity: 0.5, removedNothing: true, prunableLayers: true }])).toEqual({ next: 0.7 });
  });

  it(`never tries more than ${MAX_SPARSITY_TRIALS} levels, whatever the outcomes`, () => {
    let longest = 0;
    const walk = (history: SparsityOutcome[]) => {
      const d = nextSparsity(history);
      if ("stop" in d) {
        longest = Math.max(longest, history.length);
        return;
      }
      for (const o of [ok(d.next), ok(d.next, false), miss(d.next), miss(d.next, false)]) walk([...history, o]);
      walk([...history, { sparsity: d.next, removedNothing: true, prunableLayers: true }]);
    };
    walk([]);
    expect(longest).toBe(MAX_SPARSITY_TRIALS);
  });
});

describe("trialLimit", () => {
  it("is the sparsity levels plus one trial per dtype, or maxTrials when smaller", () => {
    expect(trialLimit(undefined, 2)).toBe(MAX_SPARSITY_TRIALS + 2);
    expect(trialLimit(3, 2)).toBe(3);
    expect(trialLimit(200, 3)).toBe(MAX_SPARSITY_TRIALS + 3);
  });
});

describe("the recovery's batch size", () => {
  it("is 32 for tabular rows, small images and a model.json that does not say", () => {
    expect(recoveryBatchSize(20)).toBe(32);
    expect(recoveryBatchSize(28 * 28)).toBe(32);
    expect(recoveryBatchSize(64 * 64 * 3)).toBe(32);
    expect(recoveryBatchSize(null)).toBe(32);
  });
  it("shrinks for large images so TensorFlow's wasm memory holds the batch: 4 for 224x224x3", () => {
    expect(recoveryBatchSize(96 * 96 * 3)).toBe(8);
    expect(recoveryBatchSize(224 * 224 * 3)).toBe(4);
    expect(recoveryBatchSize(512 * 512 * 3)).toBe(4);
    expect(recoveryStep("fine_tune", 224 * 224 * 3)).toMatchObject({ kind: "FINE_TUNE", params: { batchSize: 4 } });
    expect(recoveryStep("distill", 224 * 224 * 3)).toMatchObject({ kind: "DISTILL", params: { batchSize: 4 } });
  });
});
