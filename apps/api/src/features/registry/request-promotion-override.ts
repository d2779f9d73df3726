import { z } from "zod";
import { AppError, ErrorCode, MoneyDecimal, assertVisible, type Principal } from "@costgate/core";
import type { Db, Prisma } from "@costgate/db";
import type { Producer } from "@costgate/queue";
import { costGateRefusal, enqueueDeliveries, recordEvent, writeAudit } from "@costgate/services";
import { validate } from "../validate.ts";

const Input = z.object({
  versionId: z.string().min(1),
  stage: z.enum(["CANDIDATE", "STAGING", "PRODUCTION", "ARCHIVED", "REJECTED"]),
  reason: z
    .string()
    .trim()
    .min(1, "say why the promotion should go through despite the budget")
    .max(2000, "must be at most 2000 characters"),
});

/**
 * requestPromotionOverride: someone who may promote, refused by the cost gate, asks the team's
 * ADMIN/FINANCE to override it. Only when the gate would refuse now (the same rule as the gate,
 * services' costGateRefusal). Records an OVERRIDE_REQUEST alert on the refusing budget (with the
 * version, who asked, why and the gate's projection), an audit event, and the webhook event
 * `promotion.override_requested` with the projection, all in one transaction; deliveries are
 * enqueued after the commit. Each request is its own alert (periodStart: when it was asked).
 */
export async function requestPromotionOverride(
  deps: { db: Db; producer: Producer; now: () => Date },
  principal: Principal,
  input: unknown,
) {
  const data = validate(Input, input);
  if (data.stage !== "PRODUCTION") {
    throw new AppError(
      ErrorCode.BAD_USER_INPUT,
      `stage: only promotions to PRODUCTION go through the cost gate; promote to ${data.stage} directly`,
      { field: "stage" },
    );
  }
  const version = await deps.db.modelVersion.findUnique({
    where: { id: data.versionId },
    include: { model: { select: { teamId: true, name: true } } },
  });
  assertVisible(principal, version, (r) => r.model.teamId, "Model version", data.versionId);
  const teamId = version.model.teamId;
  const now = deps.now();

  const { alert, deliveryIds } = await deps.db.$transaction(async (tx) => {
    const refusal = await costGateRefusal(tx, version, teamId, now);
    if (!refusal) {
      throw new AppError(
        ErrorCode.CONFLICT,
        `The cost gate lets version ${version.number} of model "${version.model.name}" into PRODUCTION now: promote it, no override is needed`,
        { field: "versionId" },
      );
    }
    const { budget, record } = refusal;
    const spent = new MoneyDecimal(refusal.spentUsd);
    // What the period's spend would reach with the increase; the same spend for a version never measured.
    const reached = record ? spent.plus(record.deltaMonthlyUsd) : spent;
    const amount = new MoneyDecimal(budget.amountUsd.toString());
    const projection = (record ?? { unmeasured: true }) as unknown as Prisma.InputJsonValue;
    const alert = await tx.alert.create({
      data: {
        budgetId: budget.id,
        kind: "OVERRIDE_REQUEST",
        threshold: amount.isZero() ? 0 : reached.div(amount).toDecimalPlaces(6).toNumber(),
        spentUsd: spent.toFixed(6),
        forecastUsd: reached.toFixed(6),
        periodStart: now,
        versionId: version.id,
        requestedBy: principal.actor,
        reason: data.reason,
        projection,
      },
    });
    await writeAudit(tx, {
      actor: principal.actor,
      action: "version.override_request",
      entityType: "ModelVersion",
      entityId: version.id,
      teamId,
      after: { stage: data.stage, reason: data.reason, alertId: alert.id, budgetId: budget.id, costGate: projection },
    });
    const deliveryIds = await recordEvent(
      tx,
      teamId,
      "promotion.override_requested",
      {
        alertId: alert.id,
        versionId: version.id,
        modelId: version.modelId,
        modelName: version.model.name,
        number: version.number,
        stage: data.stage,
        reason: data.reason,
        requestedBy: principal.actor,
        budgetId: budget.id,
        budgetName: budget.name,
        projection,
      },
      `promotion.override_requested:${alert.id}`,
    );
    return { alert, deliveryIds };
  });
  await enqueueDeliveries(deps.producer, deliveryIds);
  return alert;
}
