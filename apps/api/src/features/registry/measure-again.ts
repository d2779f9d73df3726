import { assertVisible, notFound, AppError, ErrorCode, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import type { Producer } from "@costgate/queue";
import { writeAudit } from "@costgate/services";

interface Deps {
  db: Db;
  producer: Producer;
}

/** The version, when the caller may act on its team's models; NOT_FOUND otherwise (ids of other teams do not leak). */
async function versionFor(db: Db, principal: Principal, versionId: string) {
  const version = await db.modelVersion.findUnique({
    where: { id: versionId },
    include: { model: { select: { teamId: true, name: true } } },
  });
  assertVisible(principal, version, (v) => v.model.teamId, "ModelVersion", versionId);
  if (version.status === "FAILED")
    throw new AppError(
      ErrorCode.BAD_USER_INPUT,
      `Version ${version.number} of ${version.model.name} FAILED (${version.statusMessage ?? "see its status"}): register a working artifact instead`,
    );
  return version;
}

/**
 * Queues a new cost measurement of a version on a hardware profile (the default when none is
 * named); a worker of that profile measures it, interleaved with its parent when it has one,
 * and adds a CostMeasurement. Asking again while one is queued adds nothing.
 */
export async function remeasureModelVersion(
  deps: Deps,
  principal: Principal,
  args: { versionId: string; hardwareProfileId?: string | null },
) {
  const version = await versionFor(deps.db, principal, args.versionId);
  const profile = args.hardwareProfileId
    ? await deps.db.hardwareProfile.findUnique({ where: { id: args.hardwareProfileId } })
    : await deps.db.hardwareProfile.findFirst({ where: { isDefault: true } });
  if (!profile)
    throw args.hardwareProfileId
      ? notFound("HardwareProfile", args.hardwareProfileId)
      : new AppError(ErrorCode.BAD_USER_INPUT, "No default hardware profile: name one with hardwareProfileId");
  await deps.producer.remeasureVersion(version.id, profile.id);
  await deps.db.$transaction((tx) =>
    writeAudit(tx, {
      actor: principal.actor,
      action: "version.remeasure",
      entityType: "ModelVersion",
      entityId: version.id,
      teamId: version.model.teamId,
      after: { hardwareProfileId: profile.id, hardwareProfile: profile.name },
    }),
  );
  return version;
}

/** Queues an evaluation of a version on its model's current EVALUATION dataset (replacing the one on that dataset). */
export async function reevaluateModelVersion(deps: Deps, principal: Principal, args: { versionId: string }) {
  const version = await versionFor(deps.db, principal, args.versionId);
  const dataset = await deps.db.dataset.findFirst({
    where: { modelId: version.modelId, role: "EVALUATION" },
    orderBy: { createdAt: "desc" },
  });
  if (!dataset)
    throw new AppError(
      ErrorCode.BAD_USER_INPUT,
      `${version.model.name} has no EVALUATION dataset: register one with registerDataset(role: EVALUATION) first`,
    );
  await deps.producer.reevaluateVersion(version.id);
  await deps.db.$transaction((tx) =>
    writeAudit(tx, {
      actor: principal.actor,
      action: "version.reevaluate",
      entityType: "ModelVersion",
      entityId: version.id,
      teamId: version.model.teamId,
      after: { datasetId: dataset.id, dataset: dataset.name },
    }),
  );
  return version;
}
