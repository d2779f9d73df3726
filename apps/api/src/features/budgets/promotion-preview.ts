import { assertVisible, badInput, type Principal } from "@costgate/core";
import type { Budget, Db } from "@costgate/db";
import { projectPromotion } from "@costgate/services";

export interface CostProjectionView {
  currentMonthlyUsd: string;
  projectedMonthlyUsd: string;
  deltaMonthlyUsd: string;
  budget: Budget | null;
  withinBudget: boolean;
  gateRefuses: boolean;
  trafficRequests: number;
  remainingUsd: string | null;
}

/**
 * promotionPreview: what promoting the version to PRODUCTION would do to its model's monthly
 * spend, with the budget that would block it or else the one it constrains most — the same projection the cost gate applies
 * (services' projectPromotion). Any role may look, within its team.
 */
export async function promotionPreview(
  deps: { db: Db; now: () => Date },
  principal: Principal,
  versionId: string,
): Promise<CostProjectionView> {
  const version = await deps.db.modelVersion.findUnique({
    where: { id: versionId },
    include: { model: { select: { teamId: true, name: true } } },
  });
  assertVisible(principal, version, (r) => r.model.teamId, "Model version", versionId);
  const projection = await projectPromotion(deps.db, version, version.model.teamId, deps.now());
  if (!projection) {
    throw badInput(
      `versionId: version ${version.number} of model "${version.model.name}" has no cost measurement yet (status ${version.status}), so its cost cannot be projected`,
      { field: "versionId" },
    );
  }
  const v = projection.value;
  const shown = v.blockedBy ?? v.mostConstraining;
  return {
    currentMonthlyUsd: v.currentMonthlyUsd.toFixed(6),
    projectedMonthlyUsd: v.projectedMonthlyUsd.toFixed(6),
    deltaMonthlyUsd: v.deltaMonthlyUsd.toFixed(6),
    budget: shown?.budget.row ?? null,
    withinBudget: v.withinBudget,
    gateRefuses: v.blockedBy !== null,
    trafficRequests: Number(projection.requests),
    remainingUsd: shown ? shown.remainingUsd.toFixed(6) : null,
  };
}
