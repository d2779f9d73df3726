import { describe, expect, it } from "vitest";
import { budgetFraction, estimateTrialMs, fitsBudget, slowestVersionMs } from "./trial-budget.ts";

describe("estimateTrialMs", () => {
  const none = { elapsedMs: 0, versionsMade: 0 };

  it("is the longest trial of the same phase", () => {
    const done = [
      { phase: "sparsity" as const, ms: 20_000, versions: 2 },
      { phase: "sparsity" as const, ms: 30_000, versions: 2 },
    ];
    expect(estimateTrialMs(done, { phase: "sparsity", versions: 2 }, none)).toBe(30_000);
  });

  it("scales the slowest version's time to a trial of another phase", () => {
    const done = [{ phase: "sparsity" as const, ms: 30_000, versions: 2 }];
    expect(estimateTrialMs(done, { phase: "dtype", versions: 1 }, none)).toBe(15_000);
  });

  it("uses the time spent per stored version when a resumed job has no trial of its own yet", () => {
    expect(estimateTrialMs([], { phase: "sparsity", versions: 2 }, { elapsedMs: 60_000, versionsMade: 4 })).toBe(
      30_000,
    );
  });

  it("has no estimate before the first trial", () => {
    expect(estimateTrialMs([], { phase: "sparsity", versions: 2 }, none)).toBeNull();
  });
});

describe("fitsBudget", () => {
  it("starts a trial whose estimate fits in what is left", () => {
    expect(fitsBudget({ budgetMs: 60_000, elapsedMs: 30_000, estimateMs: 29_000 })).toEqual({ start: true });
    expect(fitsBudget({ budgetMs: 60_000, elapsedMs: 0, estimateMs: null })).toEqual({ start: true });
  });

  it("refuses one that would overrun, saying by how much", () => {
    const d = fitsBudget({ budgetMs: 60_000, elapsedMs: 40_000, estimateMs: 25_000 });
    expect(d).toEqual({
      start: false,
      why: "the next trial would take about 25 s and 20 s of the time budget (60 s) are left",
    });
  });

  it("refuses any trial once the budget is used up, even without an estimate", () => {
    expect(fitsBudget({ budgetMs: 300_000, elapsedMs: 300_001, estimateMs: null })).toEqual({
      start: false,
      why: "the time budget (5.0 min) is used up",
    });
  });
});

describe("budgetFraction", () => {
  it("is the share of the budget used, below 1 until the job ends", () => {
    expect(budgetFraction(30_000, 60_000)).toBe(0.5);
    expect(budgetFraction(90_000, 60_000)).toBe(0.99);
    expect(budgetFraction(-5, 60_000)).toBe(0);
  });
});

describe("slowestVersionMs", () => {
  it("is the longest time per version of any trial, null before the first", () => {
    expect(slowestVersionMs([])).toBeNull();
    expect(
      slowestVersionMs([
        { phase: "sparsity", ms: 30_000, versions: 2 },
        { phase: "dtype", ms: 20_000, versions: 1 },
      ]),
    ).toBe(20_000);
  });
});

describe("fitsBudget for a recovery", () => {
  it("names what would not fit", () => {
    expect(
      fitsBudget({
        budgetMs: 600_000,
        elapsedMs: 400_000,
        estimateMs: 280_000,
        what: "evaluating its fine-tuned version",
      }),
    ).toEqual({
      start: false,
      why: "evaluating its fine-tuned version would take about 4.7 min and 3.3 min of the time budget (10.0 min) are left",
    });
  });
});
