import { readFile } from "node:fs/promises";
import { UnrecoverableError } from "bullmq";
import { modelInputShape } from "@costgate/formats";
import {
  SEARCH_DEFAULTS,
  resolveSearchRecovery,
  type SearchParams,
  type SearchReport,
  type SearchTrial,
} from "@costgate/core";
import type { Prisma, ModelVersion, OptimizationJob, OptimizationPolicy } from "@costgate/db";
import type { WorkerDeps } from "../../deps.ts";
import type { ChainStep } from "../apply-step.ts";
import { evaluateVersion } from "../evaluate-version.ts";
import type { JobProgress } from "../job-progress.ts";
import { summarizeJob, type JobSummary } from "../job-summary.ts";
import { modelJsonPathOf } from "../model-files.ts";
import { storeStepVersion } from "../store-step-version.ts";
import type { Ops } from "../../tf/protocol.ts";
import { nextSparsity, recoveryStep, trialLimit, type SparsityOutcome } from "./next-trial.ts";
import { bestSoFar, trialStage } from "./search-stage.ts";
import {
  budgetFraction,
  budgetUsedUp,
  estimateTrialMs,
  fitsBudget,
  slowestVersionMs,
  type TrialPhase,
  type TrialTime,
} from "./trial-budget.ts";

type Version = ModelVersion & { artifact: { sha256: string } };
type Job = OptimizationJob & {
  policy: OptimizationPolicy;
  sourceVersion: Version & { model: { teamId: string } };
};

export interface SearchContext {
  job: Job;
  params: SearchParams;
  /** When the job first started: the time budget counts from here, across attempts. */
  startedAt: Date;
  progress: JobProgress;
  onWait: (why: string) => void;
  /** What every applyStep call of the job shares (datasets, teacher, guardrail). */
  stepData: Omit<Ops["applyStep"]["args"], "step" | "modelJsonPath" | "seed">;
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/**
 * Flow 8 of docs/ARCHITECTURE.md: SEARCH. Structured sparsity by bisection (next-trial.ts), each
 * level pruned from the source then recovered (fine-tune or distill), then the best candidate
 * quantized with each dtype (accuracy-aware). Every trial's versions are made like a chain
 * step's — stored exactly once (the job's version slot, `stepIndex`, is its identity),
 * evaluated, measured against their parent — and after each trial the job's result (frontier,
 * best so far) is written. A trial starts only when its estimated duration fits in the time
 * budget (trial-budget.ts). A retried job replays its stored trials: the decisions are a function
 * of what is stored, so it continues where the last attempt stopped without repeating work.
 */
export async function runSearch(deps: WorkerDeps, ctx: SearchContext): Promise<{ report: SearchReport }> {
  const { db } = deps;
  const { job, params, progress } = ctx;
  const recovery = resolveSearchRecovery(params.recovery, {
    train: ctx.stepData.train !== null,
    unlabeled: ctx.stepData.unlabeled !== null,
  });
  const dtypes = params.dtypes ?? SEARCH_DEFAULTS.dtypes;
  const limit = trialLimit(params.maxTrials, dtypes.length);
  const budgetMs = params.timeBudgetMinutes * 60_000;
  const inputShape = modelInputShape(
    JSON.parse(await readFile(await modelJsonPathOf(deps, job.sourceVersion.artifact.sha256), "utf8")),
  );
  const inputElements = inputShape ? inputShape.reduce((a, b) => a * b, 1) : null;
  const elapsed = () => Date.now() - ctx.startedAt.getTime();

  const stored = new Map(
    (await db.modelVersion.findMany({ where: { jobId: job.id }, include: { artifact: true } })).map((v) => [
      v.stepIndex!,
      v,
    ]),
  );
  let slot = 0;
  let trial = 0;
  const times: TrialTime[] = [];
  const trials: SearchTrial[] = [];
  const skipped: { sparsity: number; reason: string }[] = [];
  let summary: JobSummary | null = await summarizeJob(deps, job);
  /** How long storing, evaluating and measuring the last version made in this attempt took. */
  let lastEvaluateMs: number | null = null;
  const report = (stoppedBecause: string): SearchReport => ({
    trials: trial,
    stoppedBecause,
    timeBudgetMinutes: params.timeBudgetMinutes,
    maxTrials: params.maxTrials ?? null,
    recovery,
    dtypes: [...dtypes],
    trialLimit: limit,
    elapsedSeconds: Math.round(elapsed() / 1000),
    trialList: trials,
    skipped,
  });
  const say = (doing: string) =>
    progress.report(budgetFraction(elapsed(), budgetMs), trialStage(trial + 1, limit, bestSoFar(summary), doing));

  /** The version of the next slot: the stored one when an earlier attempt made it, else made now. */
  async function make(
    step: ChainStep,
    parent: Version,
    search: Record<string, unknown>,
    doing: string,
    /** A training step starts no batch after this (ms since the epoch). */
    deadline?: number,
  ): Promise<Version | "cancelled" | { removedNothing: true; prunableLayers: boolean }> {
    const existing = stored.get(slot);
    const recipe = existing?.recipe as { kind?: string; search?: Record<string, unknown> } | null;
    if (existing && recipe?.kind === step.kind && sameTrial(recipe.search, search)) {
      if (existing.status === "PENDING")
        await evaluateVersion(deps, existing.id, { trigger: false, onWait: ctx.onWait });
      slot++;
      return existing;
    }
    say(doing);
    const output = await deps.tf.compute(
      "applyStep",
      {
        ...ctx.stepData,
        step,
        modelJsonPath: await modelJsonPathOf(deps, parent.artifact.sha256),
        seed: slot,
        ...(deadline === undefined ? {} : { deadline }),
      },
      { signal: progress.signal, onWait: ctx.onWait, onProgress: (_f, stage) => say(`${doing}: ${stage}`) },
    );
    if (output.cancelled) return "cancelled";
    if (step.kind === "PRUNE") {
      const result = output.recipe.result as { params: { before: number; after: number }; layers: unknown[] };
      if (result.params.after >= result.params.before)
        return { removedNothing: true, prunableLayers: result.layers.length > 0 };
    }
    // A prune that removes nothing stores no version, so it holds no slot: anything else that finds
    // its slot taken by another trial's version would mean the replay went another way.
    if (existing) throw new Error(`search replay diverged at version slot ${slot} of job ${job.id}`);
    say(`${doing}: saving and measuring the new version`);
    const savingStartedMs = Date.now();
    const version = await storeStepVersion(deps, {
      job,
      stepIndex: slot,
      parent,
      output: { ...output, recipe: { ...output.recipe, search } },
    });
    const outcome = await evaluateVersion(deps, version.id, { trigger: false, onWait: ctx.onWait });
    if (outcome.status === "FAILED")
      throw new UnrecoverableError(`Trial ${trial + 1} made a version that could not be evaluated: ${outcome.message}`);
    lastEvaluateMs = Date.now() - savingStartedMs;
    slot++;
    return version;
  }

  /** Whether the next trial may start: it is stored already (replayed), or its estimate fits the budget. */
  function mayStart(phase: TrialPhase, versions: number): string | null {
    if (stored.has(slot)) return null;
    if (trial >= limit) return `it reached its trial limit (${limit})`;
    const estimateMs = estimateTrialMs(times, { phase, versions }, { elapsedMs: elapsed(), versionsMade: slot });
    const decision = fitsBudget({ budgetMs, elapsedMs: elapsed(), estimateMs });
    return decision.start ? null : `stopped: ${decision.why}`;
  }

  async function afterTrial(record: SearchTrial, phase: TrialPhase, startedMs: number, replayed: boolean) {
    if (!replayed) times.push({ phase, ms: Date.now() - startedMs, versions: record.versionIds.length });
    summary = await summarizeJob(deps, job);
    const rows = summary?.rows ?? [];
    const last = rows.find((r) => r.id === record.versionIds.at(-1));
    const first = rows.find((r) => r.id === record.versionIds[0]);
    record.withinGuardrail = last?.verdict.ok ?? false;
    record.savesVsInput = first?.vsParent?.saves ?? false;
    trials.push(record);
    if (summary) {
      const live = { ...summary.result, search: report("running") } as unknown as Prisma.InputJsonValue;
      await db.optimizationJob.updateMany({ where: { id: job.id, status: "RUNNING" }, data: { result: live } });
    }
  }

  // Phase 1: structured sparsity, each level pruned from the source and recovered.
  const history: SparsityOutcome[] = [];
  const versionsPerLevel = recovery === "none" ? 1 : 2;
  let sparsityEnd: string | undefined;
  while (sparsityEnd === undefined) {
    const decision = nextSparsity(history);
    if ("stop" in decision) {
      sparsityEnd = decision.stop;
      break;
    }
    if (await progress.checkCancel()) return { report: report("cancelled") };
    const replayed = stored.has(slot);
    const refused = mayStart("sparsity", versionsPerLevel);
    if (refused) return { report: report(refused) };
    const s = decision.next;
    const startedMs = Date.now();
    const search = { trial: trial + 1, of: params.maxTrials ?? null, sparsity: s, recovery, dtype: null };
    const pruned = await make(
      { kind: "PRUNE", params: { method: "structured", sparsity: s } },
      job.sourceVersion,
      search,
      `structured pruning ${pct(s)}`,
    );
    if (pruned === "cancelled") return { report: report("cancelled") };
    if ("removedNothing" in pruned) {
      history.push({ sparsity: s, removedNothing: true, prunableLayers: pruned.prunableLayers });
      skipped.push({
        sparsity: s,
        reason: pruned.prunableLayers
          ? `structured pruning ${pct(s)} removes no unit or filter (the layers are too small for it): no version made`
          : "structured pruning removes nothing from this model (only its output layer is prunable, and pruning leaves it): no version made",
      });
      continue;
    }
    let last = pruned;
    // A prune that overran the budget (a slow machine, a large model) ends the search: its
    // recovery would overrun it by as much again. The pruned version stays a candidate.
    const usedUp = stored.has(slot) ? null : budgetUsedUp({ budgetMs, elapsedMs: elapsed() });
    const recoveryName = recovery === "fine_tune" ? "fine-tuning" : "distillation";
    /** Ends the search with this level's prune as its last trial, its recovery not started. */
    const endAfterPrune = async (why: string) => {
      trial += 1;
      const record: SearchTrial = {
        trial,
        sparsity: s,
        recovery,
        dtype: null,
        versionIds: [pruned.id],
        withinGuardrail: false,
        savesVsInput: false,
      };
      await afterTrial(record, "sparsity", startedMs, replayed);
      return { report: report(why) };
    };
    if (recovery !== "none" && usedUp)
      return endAfterPrune(`stopped: ${usedUp} while pruning ${pct(s)}; its ${recoveryName} was not started`);
    // The recovery trains until a deadline that leaves time to evaluate and measure what it makes
    // (as long as that took for the pruned version): the trial ends within the budget, its
    // training cut short if need be (the recipe says so). No time for even that: not started.
    const evaluateMs = lastEvaluateMs ?? slowestVersionMs(times);
    const what =
      recovery === "fine_tune"
        ? "evaluating and measuring its fine-tuned version"
        : "evaluating and measuring its distilled version";
    const noTime =
      recovery !== "none" && !stored.has(slot) && evaluateMs !== null
        ? fitsBudget({ budgetMs, elapsedMs: elapsed(), estimateMs: evaluateMs, what })
        : ({ start: true } as const);
    if (!noTime.start)
      return endAfterPrune(`stopped after pruning ${pct(s)}: ${noTime.why}; its ${recoveryName} was not started`);
    const deadline = evaluateMs === null ? undefined : ctx.startedAt.getTime() + budgetMs - evaluateMs;
    if (recovery !== "none") {
      const recovered = await make(
        recoveryStep(recovery, inputElements),
        pruned,
        search,
        `${recovery === "fine_tune" ? "fine-tuning" : "distilling"} after pruning ${pct(s)}`,
        deadline,
      );
      if (recovered === "cancelled" || "removedNothing" in recovered) return { report: report("cancelled") };
      last = recovered;
    }
    trial += 1;
    const record: SearchTrial = {
      trial,
      sparsity: s,
      recovery,
      dtype: null,
      versionIds: last === pruned ? [pruned.id] : [pruned.id, last.id],
      withinGuardrail: false,
      savesVsInput: false,
    };
    await afterTrial(record, "sparsity", startedMs, replayed);
    history.push({ sparsity: s, withinGuardrail: record.withinGuardrail, saves: record.savesVsInput });
  }

  // Phase 2: the weights of the best candidate so far (the source when none saves) in each dtype.
  const base: Version = summary?.best
    ? await db.modelVersion.findUniqueOrThrow({ where: { id: summary.best.id }, include: { artifact: true } })
    : job.sourceVersion;
  const baseSearch = (base.recipe as { search?: { sparsity?: number } } | null)?.search;
  for (const dtype of dtypes) {
    if (await progress.checkCancel()) return { report: report("cancelled") };
    const replayed = stored.has(slot);
    const refused = mayStart("dtype", 1);
    if (refused) return { report: report(refused) };
    const startedMs = Date.now();
    const search = {
      trial: trial + 1,
      of: params.maxTrials ?? null,
      sparsity: baseSearch?.sparsity ?? 0,
      recovery: baseSearch ? recovery : "none",
      dtype,
    };
    const quantized = await make(
      { kind: "QUANTIZE", params: { dtype, accuracyAware: true } },
      base,
      search,
      `${dtype} weights on v${base.number}`,
    );
    if (quantized === "cancelled" || "removedNothing" in quantized) return { report: report("cancelled") };
    trial += 1;
    await afterTrial(
      { ...search, trial, versionIds: [quantized.id], withinGuardrail: false, savesVsInput: false },
      "dtype",
      startedMs,
      replayed,
    );
  }
  return { report: report(`search complete: ${sparsityEnd}; then ${dtypes.join(", ")} weights on v${base.number}`) };
}

/** The same trial and the same choice in it (a stored version's recipe.search against the one planned). */
function sameTrial(stored: Record<string, unknown> | undefined, planned: Record<string, unknown>): boolean {
  return (
    stored !== undefined &&
    stored.trial === planned.trial &&
    stored.sparsity === planned.sparsity &&
    stored.dtype === planned.dtype
  );
}
