import { UnrecoverableError } from "bullmq";
import { outputUnitsProblem } from "@costgate/core";
import { isMlError } from "@costgate/ml";
import { ArtifactNotFoundError } from "@costgate/artifacts";
import { Prisma } from "@costgate/db";
import type { WorkerDeps } from "../deps.ts";
import type { ModelFacts } from "../tf/protocol.ts";
import { TfProcessDied } from "../tf/tf-host.ts";
import { DATASET_FILES, datasetRefOf, modelJsonPathOf, taskOf } from "./model-files.ts";
import { onVersionReady } from "./on-version-ready.ts";
import { calibrationsOf, normalisationOf } from "./speed-calibration.ts";

const NO_EVALUATION_DATASET = "No EVALUATION dataset registered for this model: cost measured, metric not evaluated";
const BY_AGREEMENT =
  "No EVALUATION dataset registered for this model: evaluated by agreement with its job's source version on the UNLABELED dataset";
const AUTOMATIC_MESSAGES = new Set([NO_EVALUATION_DATASET, BY_AGREEMENT]);

export interface EvaluateOutcome {
  status: "READY" | "FAILED" | "SKIPPED";
  message?: string;
}

export interface EvaluateOptions {
  finalAttempt?: boolean;
  /** Run the follow-ups of a newly READY version (budgets' AUTO_OPTIMIZE). Default true. */
  trigger?: boolean;
  /** Measure the cost again although a measurement on this profile exists (adds one). */
  remeasure?: boolean;
  /** Evaluate again on the model's current EVALUATION dataset although an evaluation exists. */
  reevaluate?: boolean;
  /** Said while the work waits for the machine (another measurement runs). */
  onWait?: (why: string) => void;
}

/**
 * Evaluation of a version (docs/ARCHITECTURE.md, "Evaluate"): inspect it, evaluate its metric
 * on the model's EVALUATION dataset (when it has one), measure its cost on this worker's
 * hardware profile — interleaved with its parent when it has one, so its saving is a ratio
 * with an interval — store the Evaluation, CostMeasurement (and CostComparison) and set READY,
 * or FAILED with a message a person can act on. All TensorFlow work runs in the worker's
 * TensorFlow process under the machine's measurement lock. Evaluating again duplicates
 * nothing: what is stored for this version, dataset and profile is kept, unless asked to
 * re-measure or re-evaluate.
 */
export async function evaluateVersion(
  deps: WorkerDeps,
  versionId: string,
  opts: EvaluateOptions = {},
): Promise<EvaluateOutcome> {
  const { db, profile } = deps;
  const version = await db.modelVersion.findUnique({
    where: { id: versionId },
    include: { model: true, artifact: true, parent: { include: { artifact: true } } },
  });
  if (!version) return { status: "SKIPPED", message: `version ${versionId} no longer exists` };

  const dataset = await db.dataset.findFirst({
    where: { modelId: version.modelId, role: "EVALUATION" },
    orderBy: { createdAt: "desc" },
    include: DATASET_FILES,
  });
  // Without labelled data, a version an optimization job made is evaluated by its agreement with
  // the job's source version on the model's UNLABELED dataset (what the guardrail then uses).
  const unlabeled =
    dataset === null && version.jobId
      ? await db.dataset.findFirst({
          where: { modelId: version.modelId, role: "UNLABELED" },
          orderBy: { createdAt: "desc" },
          include: DATASET_FILES,
        })
      : null;
  const reference = unlabeled
    ? await db.optimizationJob.findUnique({
        where: { id: version.jobId! },
        select: { sourceVersion: { select: { artifact: { select: { sha256: true } } } } },
      })
    : null;
  const evalDataset = dataset ?? (reference ? unlabeled : null);
  const [existingEval, existingCost] = await Promise.all([
    evalDataset
      ? db.evaluation.findUnique({ where: { versionId_datasetId: { versionId, datasetId: evalDataset.id } } })
      : null,
    db.costMeasurement.findFirst({ where: { versionId, hardwareProfileId: profile.id } }),
  ]);
  const needEval = evalDataset !== null && (!existingEval || opts.reevaluate === true);
  const needCost = !existingCost || opts.remeasure === true;
  if (version.status === "READY" && !needEval && !needCost)
    return { status: "SKIPPED", message: "already evaluated and measured" };

  try {
    const modelJsonPath = await modelJsonPathOf(deps, version.artifact.sha256);
    const task = taskOf(version.model.task);
    // Inspected first when the model names its classes, to check them before the measurement.
    const evaluated =
      needEval || !needCost || version.model.classNames.length > 0
        ? await deps.tf.compute(
            "evaluate",
            {
              modelJsonPath,
              dataset: needEval && dataset ? await datasetRefOf(deps, dataset, task) : null,
              agreement:
                needEval && !dataset && unlabeled && reference
                  ? {
                      referenceModelJsonPath: await modelJsonPathOf(deps, reference.sourceVersion.artifact.sha256),
                      inputs: await datasetRefOf(deps, unlabeled, task),
                    }
                  : null,
            },
            { onWait: opts.onWait },
          )
        : null;
    // A version whose outputs are not the model's classes fails before its cost is measured.
    if (evaluated) assertOutputsAreClasses(version.model, evaluated.facts);
    const calibrations = needCost ? await calibrationsOf(deps) : [];
    const measured = needCost
      ? await deps.tf.measure(
          {
            modelJsonPath,
            parentModelJsonPath: version.parent
              ? await modelJsonPathOf(deps, version.parent.artifact.sha256).catch(() => null)
              : null,
            settings: {
              hourlyPriceUsd: profile.hourlyPriceUsd.toString(),
              batchSize: profile.batchSize,
              ...deps.measure,
            },
            calibrations,
          },
          { onWait: opts.onWait },
        )
      : null;
    const facts = (measured ?? evaluated)!.facts;
    assertOutputsAreClasses(version.model, facts);
    const evaluation = evaluated?.evaluation ?? null;
    const cost = measured?.cost ?? null;

    await db.$transaction(async (tx) => {
      if (evaluation && evalDataset) {
        const values = {
          metric: evaluation.metric,
          value: evaluation.value,
          loss: "loss" in evaluation && Number.isFinite(evaluation.loss) ? evaluation.loss : null,
          samples: evaluation.samples,
        };
        await tx.evaluation.upsert({
          where: { versionId_datasetId: { versionId, datasetId: evalDataset.id } },
          create: { versionId, datasetId: evalDataset.id, ...values },
          update: { ...values, evaluatedAt: new Date() },
        });
      }
      if (cost) {
        const row = await tx.costMeasurement.create({
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
            modelSizeBytes: cost.fileSizeBytes ?? facts.fileSizeBytes ?? facts.weightStorageBytes,
            loadTimeMs: cost.loadTimeMs ?? 0,
            macsPerInference: cost.macs,
            costPerMillionUsd: new Prisma.Decimal(cost.costPerMillionUsd),
            runs: cost.runs,
            spread: cost.spread,
            uncertainty: cost.uncertainty,
            disturbedRounds: cost.disturbedRounds,
            ...(await normalisationOf(tx, deps, cost, calibrations)),
          },
        });
        const paired = measured?.paired;
        if (paired && version.parentId) {
          await tx.costComparison.create({
            data: {
              versionId,
              parentId: version.parentId,
              hardwareProfileId: profile.id,
              measurementId: row.id,
              throughputRatio: paired.comparison.throughputRatio,
              low: paired.comparison.low,
              high: paired.comparison.high,
              significant: paired.comparison.significant,
              rounds: paired.comparison.rounds,
              parentThroughputPerSecond: paired.parent.throughputPerSecond,
            },
          });
        }
      }
      await tx.modelVersion.update({
        where: { id: versionId },
        data: {
          status: "READY",
          statusMessage: !dataset
            ? evalDataset
              ? BY_AGREEMENT
              : NO_EVALUATION_DATASET
            : version.status === "READY" && !AUTOMATIC_MESSAGES.has(version.statusMessage ?? "")
              ? version.statusMessage
              : null,
          parameterCount: facts.parameterCount,
          nonZeroParameterCount: facts.nonZeroParameterCount,
          weightDtypes: facts.weightDtypes,
        },
      });
    });
    deps.logger.info(
      {
        versionId,
        metric: evaluation?.value,
        costPerMillionUsd: cost?.costPerMillionUsd,
        hardwareProfile: cost ? profile.name : undefined,
        uncertainty: cost?.uncertainty,
        vsParent: measured?.paired?.comparison,
      },
      "version ready",
    );
    if (opts.trigger !== false && version.status !== "READY") await onVersionReady(deps, versionId);
    return { status: "READY" };
  } catch (e) {
    const readable = readableFailure(e);
    if (readable || opts.finalAttempt) {
      const message = readable ?? `Evaluation failed after retries: ${(e as Error).message}`;
      // A version already READY (a re-measurement failed) keeps its status and numbers.
      if (version.status !== "READY")
        await db.modelVersion.update({ where: { id: versionId }, data: { status: "FAILED", statusMessage: message } });
      deps.logger.warn({ versionId, message }, "evaluation failed");
      if (readable) throw new UnrecoverableError(message);
    }
    throw e;
  }
}

/** The version cannot be used with its model as registered (a person must change one of them). */
class VersionDoesNotFitModel extends Error {}

function assertOutputsAreClasses(model: { name: string; classNames: string[] }, facts: ModelFacts): void {
  const problem = outputUnitsProblem(model.classNames, facts.outputUnits, model.name);
  if (problem) throw new VersionDoesNotFitModel(problem);
}

/** A failure no retry can fix, said so a person can act on it; null for transient errors. */
export function readableFailure(e: unknown): string | null {
  if (e instanceof VersionDoesNotFitModel) return e.message;
  if (isMlError(e)) return `The model or its dataset cannot be used: ${e.message}`;
  if (e instanceof ArtifactNotFoundError)
    return `The artifact's files are missing from the artifact store (${e.sha256.slice(0, 12)}…): upload the model again`;
  if (e instanceof TfProcessDied) return e.message;
  return null;
}
