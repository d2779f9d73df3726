import { UnrecoverableError } from "bullmq";
import { isMlError, inspectModel, evaluateModel, measureCost, disposeDataset, type tf } from "@costgate/ml";
import { ArtifactNotFoundError } from "@costgate/artifacts";
import { Prisma } from "@costgate/db";
import type { WorkerDeps } from "../deps.ts";
import { loadStoredDataset, loadStoredModel, taskOf } from "./model-files.ts";
import { onVersionReady } from "./on-version-ready.ts";

export interface EvaluateOutcome {
  status: "READY" | "FAILED" | "SKIPPED";
  message?: string;
}

/**
 * Flow 2 of docs/ARCHITECTURE.md: load the version's artifact, inspect it, evaluate its metric on the
 * model's EVALUATION dataset (when it has one), measure its cost on this worker's hardware
 * profile, store the Evaluation and CostMeasurement and set READY — or FAILED with a message
 * a person can act on. Evaluating again replaces nothing and duplicates nothing: what is
 * already stored for this version, dataset and profile is kept and not measured twice.
 */
export async function evaluateVersion(deps: WorkerDeps, versionId: string, opts: { finalAttempt?: boolean; trigger?: boolean } = {}): Promise<EvaluateOutcome> {
  const { db, profile } = deps;
  const version = await db.modelVersion.findUnique({ where: { id: versionId }, include: { model: true, artifact: true } });
  if (!version) return { status: "SKIPPED", message: `version ${versionId} no longer exists` };

  const dataset = await db.dataset.findFirst({ where: { modelId: version.modelId, role: "EVALUATION" }, orderBy: { createdAt: "desc" }, include: { artifact: true } });
  const [existingEval, existingCost] = await Promise.all([
    dataset ? db.evaluation.findUnique({ where: { versionId_datasetId: { versionId, datasetId: dataset.id } } }) : null,
    db.costMeasurement.findFirst({ where: { versionId, hardwareProfileId: profile.id } }),
  ]);
  if (version.status === "READY" && existingCost && (!dataset || existingEval)) return { status: "SKIPPED", message: "already evaluated and measured" };

  let model: tf.LayersModel | undefined;
  try {
    const loaded = await loadStoredModel(deps, version.artifact.sha256);
    model = loaded.model;
    const inspection = inspectModel(model, { modelJsonPath: loaded.modelJsonPath });

    let evaluation: Awaited<ReturnType<typeof evaluateModel>> | null = null;
    if (dataset && !existingEval) {
      const data = await loadStoredDataset(deps, dataset.artifact.sha256, model, version.model.task);
      try {
        evaluation = await evaluateModel(model, data, { task: taskOf(version.model.task) });
      } finally {
        disposeDataset(data);
      }
    }

    const cost = existingCost
      ? null
      : await measureCost(model, {
          hourlyPriceUsd: profile.hourlyPriceUsd.toString(),
          batchSize: profile.batchSize,
          minRuns: deps.measure.minRuns,
          minTimeMs: deps.measure.minTimeMs,
          rounds: deps.measure.rounds,
          modelJsonPath: loaded.modelJsonPath,
        });

    await db.$transaction(async (tx) => {
      if (evaluation && dataset) {
        await tx.evaluation.createMany({
          data: [{ versionId, datasetId: dataset.id, metric: evaluation.metric, value: evaluation.value, loss: Number.isFinite(evaluation.loss) ? evaluation.loss : null, samples: evaluation.samples }],
          skipDuplicates: true,
        });
      }
      if (cost) {
        await tx.costMeasurement.create({
          data: {
            versionId,
            hardwareProfileId: profile.id,
            backend: cost.backend,
            batchSize: cost.batchSize,
            latencyP50Ms: cost.latencyMs.p50,
            latencyP95Ms: cost.latencyMs.p95,
            latencyP99Ms: cost.latencyMs.p99,
            throughputPerSecond: cost.throughputPerSecond,
            peakMemoryBytes: Math.round(cost.peakMemoryBytes),
            modelSizeBytes: cost.fileSizeBytes ?? inspection.fileSizeBytes ?? inspection.weightStorageBytes,
            loadTimeMs: cost.loadTimeMs ?? 0,
            macsPerInference: cost.macs,
            costPerMillionUsd: new Prisma.Decimal(cost.costPerMillionUsd),
            runs: cost.runs,
            spread: cost.spread,
          },
        });
      }
      await tx.modelVersion.update({
        where: { id: versionId },
        data: {
          status: "READY",
          statusMessage: dataset ? null : "No EVALUATION dataset registered for this model: cost measured, metric not evaluated",
          parameterCount: inspection.parameterCount,
          nonZeroParameterCount: inspection.nonZeroParameterCount,
          weightDtypes: inspection.weights.map((w) => w.storageDtype),
        },
      });
    });
    deps.logger.info({ versionId, metric: evaluation?.value, costPerMillionUsd: cost?.costPerMillionUsd }, "version ready");
    if (opts.trigger !== false) await onVersionReady(deps, versionId);
    return { status: "READY" };
  } catch (e) {
    const readable = readableFailure(e);
    if (readable || opts.finalAttempt) {
      const message = readable ?? `Evaluation failed after retries: ${(e as Error).message}`;
      await db.modelVersion.update({ where: { id: versionId }, data: { status: "FAILED", statusMessage: message } });
      deps.logger.warn({ versionId, message }, "version failed");
      if (readable) throw new UnrecoverableError(message);
    }
    throw e;
  } finally {
    model?.dispose();
  }
}

/** A failure no retry can fix, said so a person can act on it; null for transient errors. */
function readableFailure(e: unknown): string | null {
  if (isMlError(e)) return `The model or its dataset cannot be used: ${e.message}`;
  if (e instanceof ArtifactNotFoundError) return `The artifact's files are missing from the artifact store (${e.sha256.slice(0, 12)}…): upload the model again`;
  return null;
}
