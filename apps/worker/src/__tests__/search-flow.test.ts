import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkGuardrail, paretoFrontier } from "@costgate/core";
import { TestApi, registerReference, startWorker, until, waitReady, VERSION_FIELDS } from "../../test/flow.ts";
import { budget, checkDeps } from "../../test/budget-fixtures.ts";
import type { CostgateWorker } from "../create-worker.ts";
import { checkBudgets } from "../features/check-budgets.ts";

/**
 * SEARCH through the API, with a real worker: structured sparsity with recovery, then dtypes,
 * under a time budget (flow 8 of docs/ARCHITECTURE.md). What is asserted is what a user sees:
 * every trial a measured version, the frontier and the best pick as the API shows them, the
 * budget kept, cancel, a model where nothing saves, and a budget's AUTO_OPTIMIZE running a search.
 */
let api: TestApi;
let worker: CostgateWorker;
let mlp: Awaited<ReturnType<typeof registerReference>>;

const JOB = `id status progress stage error startedAt finishedAt result triggeredBy
  candidates { ${VERSION_FIELDS} }
  frontier { id number }
  bestVersion { id number stage }
  bestEffortVersion { id number }
  sourceVersion { id stage evaluation { value } cost { costPerMillionUsd } }`;

const job = async (id: string) =>
  (await api.ok<{ optimizationJob: any }>(`query($id:ID!){ optimizationJob(id:$id){ ${JOB} } }`, { id }))
    .optimizationJob;

async function searchPolicy(ref: { teamId: string; modelId: string }, params: object, extra: object = {}) {
  const r = await api.ok<{ createOptimizationPolicy: { id: string } }>(
    `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
    {
      i: {
        teamId: ref.teamId,
        modelId: ref.modelId,
        name: `search-${Math.random().toString(36).slice(2, 8)}`,
        steps: [{ kind: "SEARCH", params }],
        maxAccuracyDrop: 0.02,
        ...extra,
      },
    },
  );
  return r.createOptimizationPolicy.id;
}

async function run(policyId: string, versionId: string) {
  const r = await api.ok<{ runOptimizationPolicy: { id: string } }>(
    `mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ id } }`,
    { p: policyId, v: versionId },
  );
  return r.runOptimizationPolicy.id;
}

/** Polls the job until it ends, keeping what was seen while it ran. */
async function watch(id: string, timeoutMs = 300_000) {
  const running: { progress: number; stage: string; frontier: number }[] = [];
  const done = await until(
    `job ${id} to end`,
    async () => {
      const j = await job(id);
      if (j.status === "RUNNING") running.push({ progress: j.progress, stage: j.stage, frontier: j.frontier.length });
      return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(j.status) ? j : undefined;
    },
    timeoutMs,
    500,
  );
  return { done, running };
}

/** The frontier recomputed from what the API shows: a step with no significant change costs what its input costs. */
function expectedFrontier(done: any, metric: "accuracy" | "mse") {
  const effective = new Map<string, string>([[done.sourceVersion.id, done.sourceVersion.cost.costPerMillionUsd]]);
  const ordered = [...done.candidates].sort((a: any, b: any) => a.number - b.number);
  for (const c of ordered)
    effective.set(c.id, c.comparedToParent.significant ? c.cost.costPerMillionUsd : effective.get(c.parent.id)!);
  return paretoFrontier(
    done.candidates.map((c: any) => ({
      id: c.id,
      costPerMillionUsd: effective.get(c.id)!,
      metric: c.evaluation.value,
      verdict: checkGuardrail(metric, done.sourceVersion.evaluation.value, c.evaluation.value, 0.02),
      savesVsSource: false,
    })),
    metric,
  ).map((r) => r.id);
}

beforeAll(async () => {
  api = await TestApi.start();
  worker = await startWorker(api);
  mlp = await registerReference(api, "tabular-mlp", "CLASSIFICATION");
  await waitReady(api, mlp.versionId);
}, 180_000);

afterAll(async () => {
  await worker?.close();
  await api?.stop();
});

describe("SEARCH", () => {
  it("searches sparsity with fine-tuning, then float16, within its time budget; every trial a measured version; the frontier as the API shows it", async () => {
    const budgetMinutes = 1.5;
    const policyId = await searchPolicy(mlp, { timeBudgetMinutes: budgetMinutes, dtypes: ["float16"] });
    const { done, running } = await watch(await run(policyId, mlp.versionId));
    expect(done.status).toBe("SUCCEEDED");
    expect(done.progress).toBe(1);

    // While it ran: "Trial n of ≤ N · best so far …", a share of the time budget, and the frontier growing.
    expect(running.some((r) => /^Trial \d+ of ≤ \d+ · /.test(r.stage))).toBe(true);
    expect(running.some((r) => r.progress > 0 && r.progress < 1)).toBe(true);
    expect(running.some((r) => r.frontier > 0)).toBe(true);

    // The budget: it ended within 10% of it (a trial is never started that would overrun).
    const tookMs = new Date(done.finishedAt).getTime() - new Date(done.startedAt).getTime();
    expect(tookMs).toBeLessThanOrEqual(budgetMinutes * 60_000 * 1.1);

    // Every trial is a version made by its step, with the search in its recipe, evaluated and measured against its parent.
    const byId = new Map(done.candidates.map((c: any) => [c.id, c]));
    const trials = new Set<number>();
    for (const c of done.candidates) {
      expect(c.status).toBe("READY");
      expect(c.comparedToParent.parent.id).toBe(c.parent.id);
      const search = c.recipe.search;
      expect(search).toMatchObject({ trial: expect.any(Number), of: null });
      // The dtypes are tried on the best candidate so far: the source when no prune saved beyond
      // the noise (as on a busy machine), a trial without a recovery then.
      if (c.source === "QUANTIZE" && c.parent.id === mlp.versionId)
        expect(search).toMatchObject({ recovery: "none", sparsity: 0 });
      else expect(search.recovery).toBe("fine_tune");
      trials.add(search.trial);
      if (c.source === "PRUNE") {
        expect(c.parent.id).toBe(mlp.versionId);
        expect(c.recipe).toMatchObject({ kind: "PRUNE", params: { method: "structured", sparsity: search.sparsity } });
        expect(search.sparsity).toBeGreaterThanOrEqual(0.1);
        expect(search.sparsity).toBeLessThanOrEqual(0.9);
      } else if (c.source === "FINE_TUNE") {
        const pruned = byId.get(c.parent.id) as any;
        expect(pruned.source).toBe("PRUNE");
        expect(pruned.recipe.search.trial).toBe(search.trial);
      } else {
        expect(c.source).toBe("QUANTIZE");
        expect(search.dtype).toBe("float16");
        expect(c.weightDtypes.every((d: string) => d === "float16")).toBe(true);
      }
    }
    expect([...trials].sort((a, b) => a - b)).toEqual(Array.from({ length: trials.size }, (_, i) => i + 1));
    expect(done.result.search).toMatchObject({ trials: trials.size, recovery: "fine_tune", timeBudgetMinutes: 1.5 });
    expect(done.stage).toContain(`${trials.size} trial(s)`);

    expect(done.frontier.map((v: any) => v.id)).toEqual(expectedFrontier(done, "accuracy"));
    if (done.bestVersion) {
      expect(done.bestEffortVersion).toBeNull();
      expect(done.frontier.map((v: any) => v.id)).toContain(done.bestVersion.id);
      expect(done.stage).toMatch(/^Done: best is version \d+/);
    } else if (done.bestEffortVersion) {
      expect(done.stage).toMatch(/^Done: best effort, guardrail missed by \d+\.\d\d points/);
    } else {
      expect(done.stage).toMatch(/nothing to propose/);
    }
  }, 400_000);

  it("does not start a trial's recovery once the budget ran out during its prune: the prune is kept, the job ends", async () => {
    // 0.6 s: the first trial starts (nothing is used yet), and its prune (pruned, saved, evaluated,
    // measured) takes longer than that on any machine.
    const policyId = await searchPolicy(mlp, { timeBudgetMinutes: 0.01, dtypes: ["float16"] });
    const { done } = await watch(await run(policyId, mlp.versionId));
    expect(done.status).toBe("SUCCEEDED");
    expect(done.candidates.map((c: any) => c.source)).toEqual(["PRUNE"]);
    expect(done.result.search).toMatchObject({ trials: 1 });
    expect(done.result.search.stoppedBecause).toMatch(
      /^stopped: the time budget \(1 s\) ran out while pruning 50%; its fine-tuning was not started$/,
    );
    expect(done.stage).toContain("1 trial(s)");
  }, 300_000);

  it("stops on cancel in the middle of a trial and keeps the versions it made", async () => {
    const policyId = await searchPolicy(mlp, { timeBudgetMinutes: 30 });
    const id = await run(policyId, mlp.versionId);
    // Cancelled as soon as the first trial has stored its pruned version: mid-trial, whether it is
    // being evaluated, measured or fine-tuned (this model's fine-tuning can be too short to catch).
    await until(
      "the search to store the pruned version of its first trial",
      async () => ((await job(id)).candidates.length >= 1 ? true : undefined),
      180_000,
      25,
    );
    await api.ok(`mutation($id:ID!){ cancelOptimizationJob(id:$id){ id } }`, { id });
    expect((await watch(id)).done.status).toBe("CANCELLED");
    // A version stored just before the cancel is kept, and evaluated and measured like any other.
    const done = await until(
      "the kept versions to be evaluated",
      async () => {
        const j = await job(id);
        return j.candidates.every((c: any) => c.status !== "PENDING") ? j : undefined;
      },
      180_000,
      500,
    );
    expect(done.status).toBe("CANCELLED");
    // Stopped inside its first trial: the pruned version stays, READY (the fine-tuning, when the
    // cancel came before its last batch, made none); no later trial was started.
    expect(done.candidates[0]).toMatchObject({ source: "PRUNE", status: "READY" });
    expect(done.candidates.every((c: any) => c.recipe.search.trial === 1 && c.status === "READY")).toBe(true);
    expect(done.stage).toBe(`Cancelled during its search, after ${done.candidates.length} version(s) (kept)`);
  }, 400_000);

  it("says plainly that nothing saves on the linear model: no prune (nothing to remove), the dtypes measured, nothing proposed", async () => {
    const linear = await registerReference(api, "linear-regression", "REGRESSION");
    await waitReady(api, linear.versionId);
    const policyId = await searchPolicy(
      linear,
      { timeBudgetMinutes: 2, dtypes: ["float16"] },
      { maxAccuracyDrop: 0.05 },
    );
    const { done } = await watch(await run(policyId, linear.versionId));
    expect(done.status).toBe("SUCCEEDED");
    expect(done.result.search.skipped).toEqual([
      { sparsity: 0.5, reason: expect.stringMatching(/removes nothing from this model/) },
    ]);
    expect(done.candidates.map((c: any) => [c.source, c.parent.id])).toEqual([["QUANTIZE", linear.versionId]]);
    expect(done.bestVersion).toBeNull();
    expect(done.bestEffortVersion).toBeNull();
    expect(done.stage).toMatch(/no candidate saves measurable cost .*nothing to propose/);
    expect(done.stage).toMatch(/structured pruning removes nothing from this model/);
  }, 400_000);
});

describe("AUTO_OPTIMIZE with a SEARCH policy", () => {
  it("runs the search on the production version that spends, and sends the winner (if any) through the cost gate", async () => {
    await api.db.modelVersion.update({ where: { id: mlp.versionId }, data: { stage: "PRODUCTION" } });
    const policyId = await searchPolicy(
      mlp,
      { timeBudgetMinutes: 1, maxTrials: 2, dtypes: ["uint8"] },
      { autoPromote: true },
    );
    const now = new Date();
    await api.db.dailySpend.create({
      data: {
        day: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())),
        versionId: mlp.versionId,
        modelId: mlp.modelId,
        teamId: mlp.teamId,
        requests: 1_000_000n,
        costUsd: "90",
      },
    });
    // At risk by actual spend: 90% is past its highest threshold (a forecast needs 3 days of data).
    const b = await budget(api.db, mlp.teamId, {
      amountUsd: "100",
      alertThresholds: [0.5, 0.8],
      action: "AUTO_OPTIMIZE",
      policyId,
    });
    const deps = checkDeps(api);
    try {
      await checkBudgets(deps, { teamId: mlp.teamId, now });
    } finally {
      await deps.close();
    }
    const row = await api.db.optimizationJob.findFirstOrThrow({ where: { triggeredBy: `budget:${b.id}` } });
    const { done } = await watch(row.id);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.candidates.length).toBeGreaterThan(0);
    expect(done.candidates.every((c: any) => c.recipe.search.of === 2)).toBe(true);
    expect(done.result.search.trials).toBeLessThanOrEqual(2);
    if (done.bestVersion) {
      // Promoted through the gate, or the stage says why not.
      if (done.bestVersion.stage !== "PRODUCTION")
        expect(done.stage).toMatch(/auto-promotion of version \d+ was refused/);
    } else {
      expect(done.sourceVersion.stage).toBe("PRODUCTION");
    }
  }, 400_000);
});
