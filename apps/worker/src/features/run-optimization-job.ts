import { UnrecoverableError } from "bullmq";
import { parsePolicySteps } from "@costgate/core";
import { isMlError } from "@costgate/ml";
import type { ModelVersion } from "@costgate/db";
import type { WorkerDeps } from "../deps.ts";
import { evaluateVersion, readableFailure } from "./evaluate-version.ts";
import { JobProgress } from "./job-progress.ts";
import { DATASET_FILES, datasetRefOf, modelJsonPathOf, taskOf } from "./model-files.ts";
import { storeStepVersion } from "./store-step-version.ts";
import { finishJob } from "./finish-job.ts";
import type { ChainStep } from "./apply-step.ts";
import { runSearch } from "./search/run-search.ts";

/** Thrown when the worker shuts down mid-job: the processor hands the job back to the queue. */
export class HandBack extends Error {
  constructor(jobId: string) {
    super(`job ${jobId} handed back: the worker is shutting down`);
  }
}

const describe = (step: ChainStep): string => {
  switch (step.kind) {
    case "PRUNE":
      return `${step.params.method} pruning ${Math.round(step.params.sparsity * 100)}%`;
    case "FINE_TUNE":
      return `SGD fine-tuning, ${step.params.epochs} epoch(s) at lr ${step.params.learningRate}`;
    case "QUANTIZE":
      return `${step.params.accuracyAware ? "accuracy-aware " : ""}${step.params.dtype} quantization`;
    case "DISTILL":
      return `distillation from the source version, ${step.params.epochs} epoch(s) at lr ${step.params.learningRate}, temperature ${step.params.temperature ?? 1}`;
  }
};

/**
 * Flow 3 of docs/ARCHITECTURE.md: the policy's steps in order, each step's output feeding the next.
 * Every step makes one version (unique per job and step: a retried job skips the steps it
 * finished), evaluated and measured like any version; then the best candidate is chosen.
 * Cancellation is honoured between batches and between steps; versions already made stay.
 */
export async function runOptimizationJob(
  deps: WorkerDeps,
  jobId: string,
  opts: { attempt: number; finalAttempt: boolean },
): Promise<void> {
  const { db, logger } = deps;
  const job = await db.optimizationJob.findUnique({
    where: { id: jobId },
    include: { policy: true, sourceVersion: { include: { model: true, artifact: true } } },
  });
  if (!job) return;
  if (job.status === "SUCCEEDED" || job.status === "FAILED" || job.status === "CANCELLED") return;
  const steps = parsePolicySteps(job.steps);
  const startedAt = job.startedAt ?? new Date();
  // Conditional, so a cancellation (or an end) that lands between the read and this write is never overwritten.
  const started = await db.optimizationJob.updateMany({
    where: { id: jobId, status: { in: ["QUEUED", "RUNNING"] }, cancelRequested: false },
    data: {
      status: "RUNNING",
      startedAt,
      attempts: opts.attempt,
      stage: "Starting",
      error: null,
    },
  });
  if (started.count === 0) {
    // Cancelled while it waited: end it as CANCELLED (finishJob only ends a job still open).
    await finishJob(deps, jobId, { cancelled: true });
    return;
  }
  const progress = new JobProgress(db, jobId, deps.shutdown);
  const model = job.sourceVersion.model;
  const task = taskOf(model.task);

  try {
    const onWait = (why: string) => progress.report(progress.current, why);
    // The optimize queue is shared by every profile's workers: a source measured only on another
    // profile is measured on this worker's first, so its candidates have something to be compared with.
    const measuredHere = await db.costMeasurement.findFirst({
      where: { versionId: job.sourceVersion.id, hardwareProfileId: deps.profile.id },
      select: { id: true },
    });
    if (job.sourceVersion.status !== "READY" || !measuredHere) {
      const outcome = await evaluateVersion(deps, job.sourceVersion.id, { trigger: false, onWait });
      if (outcome.status === "FAILED")
        throw new UnrecoverableError(`The source version could not be evaluated: ${outcome.message}`);
    }
    const trainDs = await db.dataset.findFirst({
      where: { modelId: model.id, role: "TRAIN" },
      orderBy: { createdAt: "desc" },
      include: DATASET_FILES,
    });
    const evalDs = await db.dataset.findFirst({
      where: { modelId: model.id, role: "EVALUATION" },
      orderBy: { createdAt: "desc" },
      include: DATASET_FILES,
    });
    const unlabeledDs = await db.dataset.findFirst({
      where: { modelId: model.id, role: "UNLABELED" },
      orderBy: { createdAt: "desc" },
      include: DATASET_FILES,
    });
    const train = trainDs ? await datasetRefOf(deps, trainDs, task) : null;
    const evaluation = evalDs ? await datasetRefOf(deps, evalDs, task) : null;
    const unlabeled = unlabeledDs ? await datasetRefOf(deps, unlabeledDs, task) : null;
    const teacherModelJsonPath = await modelJsonPathOf(deps, job.sourceVersion.artifact.sha256);

    // What every step of the job reads: its data, the teacher (the source version), the guardrail.
    const stepData = {
      task,
      train,
      evaluation,
      unlabeled,
      teacherVersionId: job.sourceVersion.id,
      teacherModelJsonPath,
      maxAccuracyDrop: job.policy.maxAccuracyDrop,
    };
    const search = steps[0]?.kind === "SEARCH" ? steps[0] : null;
    if (search) {
      const { report } = await runSearch(deps, {
        job,
        params: search.params,
        startedAt,
        progress,
        onWait,
        stepData,
      });
      await progress.stop();
      if (progress.signal.aborted) await handBackIfShuttingDown(deps, jobId, progress);
      await finishJob(deps, jobId, { cancelled: progress.signal.aborted, search: report });
      return;
    }

    let input: ModelVersion & { artifact: { sha256: string } } = job.sourceVersion;
    // parsePolicySteps admits SEARCH only alone, run above.
    const chain = steps.filter((s): s is ChainStep => s.kind !== "SEARCH");
    for (const [index, step] of chain.entries()) {
      const base = index / steps.length;
      if (await progress.checkCancel()) break;
      const existing = await db.modelVersion.findUnique({
        where: { jobId_stepIndex: { jobId, stepIndex: index } },
        include: { artifact: true },
      });
      if (existing) {
        // Finished by an earlier attempt: do not make it again; finish its evaluation if that was cut short.
        if (existing.status === "PENDING") await evaluateVersion(deps, existing.id, { trigger: false, onWait });
        input = existing;
        continue;
      }
      progress.report(base, `Step ${index + 1}/${steps.length}: ${describe(step)}`);
      const output = await deps.tf.compute(
        "applyStep",
        { ...stepData, step, modelJsonPath: await modelJsonPathOf(deps, input.artifact.sha256), seed: index },
        {
          signal: progress.signal,
          onWait,
          onProgress: (fraction, stage) =>
            progress.report(base + (fraction * 0.8) / steps.length, `Step ${index + 1}/${steps.length}: ${stage}`),
        },
      );
      if (output.cancelled) break;
      progress.report(
        base + 0.8 / steps.length,
        `Step ${index + 1}/${steps.length}: saving and measuring the new version`,
      );
      const version = await storeStepVersion(deps, { job, stepIndex: index, parent: input, output });
      const outcome = await evaluateVersion(deps, version.id, { trigger: false, onWait });
      if (outcome.status === "FAILED")
        throw new UnrecoverableError(
          `Step ${index + 1} made a version that could not be evaluated: ${outcome.message}`,
        );
      input = version;
    }
    await progress.stop();
    if (progress.signal.aborted) await handBackIfShuttingDown(deps, jobId, progress);
    await finishJob(deps, jobId, { cancelled: progress.signal.aborted });
  } catch (e) {
    await progress.stop();
    if (e instanceof HandBack) throw e;
    // A step that stops on the abort signal may throw instead of returning (accuracy-aware quantization does).
    if (progress.signal.aborted) {
      await handBackIfShuttingDown(deps, jobId, progress);
      await finishJob(deps, jobId, { cancelled: true });
      return;
    }
    const readable =
      e instanceof UnrecoverableError
        ? e.message
        : isMlError(e)
          ? `A step could not run: ${e.message}`
          : readableFailure(e);
    if (readable || opts.finalAttempt) {
      const message = readable ?? `The job failed after ${opts.attempt} attempt(s): ${(e as Error).message}`;
      await finishJob(deps, jobId, { error: message });
      logger.warn({ jobId, message }, "optimization job failed");
      if (readable) throw e instanceof UnrecoverableError ? e : new UnrecoverableError(message);
    } else {
      await db.optimizationJob.update({
        where: { id: jobId },
        data: { stage: `Attempt ${opts.attempt} failed (${(e as Error).message}); retrying` },
      });
    }
    throw e;
  }
}

/** Throws HandBack when the stop came from a worker shutdown rather than a cancel request (checked once more). */
async function handBackIfShuttingDown(deps: WorkerDeps, jobId: string, progress: JobProgress): Promise<false> {
  await progress.checkCancel();
  if (!progress.handingBack) return false;
  await deps.db.optimizationJob.updateMany({
    where: { id: jobId, status: "RUNNING" },
    data: {
      stage: "Handed back to the queue: the worker shut down; the next worker continues after the last finished step",
    },
  });
  throw new HandBack(jobId);
}
