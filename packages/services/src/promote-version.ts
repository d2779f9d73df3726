import { AppError, ErrorCode, POWER_PERMISSIONS, badInput, hasPower, notFound } from "@costgate/core";
import type { Db, ModelVersion, VersionStage } from "@costgate/db";
import type { Producer } from "@costgate/queue";
import { writeAudit } from "./audit.ts";
import type { PromotionGate, Promoter } from "./promotion-gate.ts";
import { costGate } from "./budgets/cost-gate.ts";
import { enqueueDeliveries } from "./events/enqueue-deliveries.ts";
import { recordEvent } from "./events/record-event.ts";

export interface PromoteArgs {
  versionId: string;
  stage: VersionStage;
  /** ADMIN only: promote although the cost gate blocks; recorded in the audit log. */
  overrideReason?: string | null;
}

/**
 * The one way a version changes stage, for people and for auto-promotion: only READY
 * versions go to STAGING or PRODUCTION; a model has at most one PRODUCTION version (the
 * previous one becomes ARCHIVED in the same transaction, serialised by a lock on the model
 * row); audited with the before and after stage and any override reason. A stage change
 * emits `version.promoted` to the team's webhooks (recorded in the same transaction,
 * enqueued after the commit).
 */
export async function promoteVersion(
  deps: { db: Db; producer: Producer; gate?: PromotionGate },
  promoter: Promoter,
  args: PromoteArgs,
) {
  const { db } = deps;
  // The cost gate unless a caller passes another (its clock, or openGate in a test).
  const gate = deps.gate ?? costGate();
  if (args.overrideReason != null) {
    if (!hasPower(promoter.role, "overrideCostGate")) {
      throw new AppError(
        ErrorCode.FORBIDDEN,
        `Only ${POWER_PERMISSIONS.overrideCostGate.join(", ")} may override the cost gate (overrideReason)`,
      );
    }
    if (!args.overrideReason.trim())
      throw badInput("overrideReason must say why the gate is overridden", { field: "overrideReason" });
  }
  const result = await db.$transaction(async (tx) => {
    const version = await tx.modelVersion.findUnique({
      where: { id: args.versionId },
      include: { model: { select: { teamId: true, name: true } } },
    });
    if (!version) throw notFound("Model version", args.versionId);
    await tx.$queryRaw`SELECT id FROM models WHERE id = ${version.modelId} FOR UPDATE`;
    const current = await tx.modelVersion.findUniqueOrThrow({
      where: { id: version.id },
      include: { model: { select: { teamId: true, name: true } } },
    });
    if ((args.stage === "STAGING" || args.stage === "PRODUCTION") && current.status !== "READY") {
      throw badInput(
        `Version ${current.number} is ${current.status}${current.statusMessage ? ` (${current.statusMessage})` : ""}: only READY versions go to ${args.stage}`,
        { field: "versionId" },
      );
    }
    if (current.stage === args.stage)
      return { version: current, previousProduction: null, deliveryIds: [] as string[], gate: null };
    const gateRecord = await gate.check(tx, {
      version: current,
      stage: args.stage,
      promoter,
      overrideReason: args.overrideReason,
    });

    let previousProduction: ModelVersion | null = null;
    if (args.stage === "PRODUCTION") {
      const prev = await tx.modelVersion.findFirst({
        where: { modelId: current.modelId, stage: "PRODUCTION", id: { not: current.id } },
      });
      if (prev) {
        previousProduction = await tx.modelVersion.update({ where: { id: prev.id }, data: { stage: "ARCHIVED" } });
        await writeAudit(tx, {
          actor: promoter.actor,
          action: "version.archive",
          entityType: "ModelVersion",
          entityId: prev.id,
          teamId: current.model.teamId,
          before: { stage: prev.stage },
          after: { stage: "ARCHIVED", replacedBy: current.id },
        });
      }
    }
    const updated = await tx.modelVersion.update({ where: { id: current.id }, data: { stage: args.stage } });
    await writeAudit(tx, {
      actor: promoter.actor,
      action: "version.promote",
      entityType: "ModelVersion",
      entityId: current.id,
      teamId: current.model.teamId,
      before: { stage: current.stage },
      after: {
        stage: args.stage,
        ...(args.overrideReason ? { overrideReason: args.overrideReason } : {}),
        ...(gateRecord ?? {}),
      },
    });
    const deliveryIds = await recordEvent(
      tx,
      current.model.teamId,
      "version.promoted",
      {
        versionId: current.id,
        modelId: current.modelId,
        modelName: current.model.name,
        number: current.number,
        fromStage: current.stage,
        stage: args.stage,
        actor: promoter.actor,
        previousProductionVersionId: previousProduction?.id ?? null,
        ...(args.overrideReason ? { overrideReason: args.overrideReason } : {}),
      },
      // One event per stage change: the row's updatedAt is new with every change.
      `version.promoted:${current.id}:${updated.updatedAt.toISOString()}:${args.stage}`,
    );
    return { version: updated, previousProduction, deliveryIds, gate: gateRecord ?? null };
  });
  await enqueueDeliveries(deps.producer, result.deliveryIds);
  // `gate`: what the gate recorded (the cost gate's projection under `costGate`), null when it recorded nothing.
  return { version: result.version, previousProduction: result.previousProduction, gate: result.gate };
}
