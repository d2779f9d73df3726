import {
  AppError,
  ErrorCode,
  MoneyDecimal,
  formatMoney,
  latestMeasurement,
  periodBounds,
  projectPromotionCost,
  projectionWindow,
  type BudgetHeadroom,
  type CostProjectionValue,
  type CoveringBudget,
} from "@costgate/core";
import type { Budget, Db, Prisma } from "@costgate/db";
import type { PromotionGate } from "../promotion-gate.ts";
import { spendBetween } from "./budget-status.ts";

type Reader = Db | Prisma.TransactionClient;
type CoveringRow = CoveringBudget & { row: Budget };

export interface PromotionProjection {
  /** Requests of the model in the trailing window (last 30 full UTC days and today). */
  requests: bigint;
  window: { fromDay: Date; toDay: Date };
  /** The candidate's cost per million and the hardware it was measured on (the default profile when measured there). */
  candidate: { costPerMillionUsd: string; hardwareProfileId: string; hardwareProfileName: string };
  value: CostProjectionValue<CoveringRow>;
}

/** The budgets covering a model: its own and its team's team-wide ones, each with its spend this period (from the rollups). */
async function coveringBudgets(db: Reader, model: { id: string; teamId: string }, now: Date): Promise<CoveringRow[]> {
  const rows = await db.budget.findMany({
    where: { teamId: model.teamId, OR: [{ modelId: null }, { modelId: model.id }] },
    orderBy: { createdAt: "asc" },
  });
  return Promise.all(
    rows.map(async (row) => {
      const { start, end } = periodBounds(row.period, now);
      return {
        id: row.id,
        name: row.name,
        action: row.action,
        amountUsd: new MoneyDecimal(row.amountUsd.toString()),
        spentUsd: await spendBetween(db, row, start, end),
        row,
      };
    }),
  );
}

/** The candidate's latest cost per million on the default hardware profile, else its latest on any profile; null when never measured. */
async function candidateCost(db: Reader, versionId: string) {
  const rows = await db.costMeasurement.findMany({
    where: { versionId },
    include: { hardwareProfile: { select: { name: true, isDefault: true } } },
  });
  return latestMeasurement(rows.filter((r) => r.hardwareProfile.isDefault)) ?? latestMeasurement(rows) ?? null;
}

/**
 * What the model would spend in a month if `version` served its trailing-30-day traffic
 * (requests from the daily rollups over the last 30 full UTC days and today, that window
 * taken as a month), against what that traffic actually cost as recorded, and against every
 * budget covering the model. Null when the version has no cost measurement to price it with.
 */
export async function projectPromotion(
  db: Reader,
  version: { id: string; modelId: string },
  teamId: string,
  now: Date,
): Promise<PromotionProjection | null> {
  const cost = await candidateCost(db, version.id);
  if (!cost) return null;
  const window = projectionWindow(now);
  const traffic = await db.dailySpend.aggregate({
    _sum: { requests: true, costUsd: true },
    where: { modelId: version.modelId, day: { gte: window.fromDay, lte: window.toDay } },
  });
  const requests = traffic._sum.requests ?? 0n;
  const budgets = await coveringBudgets(db, { id: version.modelId, teamId }, now);
  const value = projectPromotionCost({
    requests,
    currentCostUsd: new MoneyDecimal((traffic._sum.costUsd ?? 0).toString()),
    candidateCostPerMillionUsd: new MoneyDecimal(cost.costPerMillionUsd.toString()),
    budgets,
  });
  return {
    requests,
    window,
    candidate: {
      costPerMillionUsd: formatMoney(cost.costPerMillionUsd),
      hardwareProfileId: cost.hardwareProfileId,
      hardwareProfileName: cost.hardwareProfile.name,
    },
    value,
  };
}

/** The numbers the gate records in the audit log and returns with the promotion (money as Decimal strings). */
export interface CostGateRecord {
  currentMonthlyUsd: string;
  projectedMonthlyUsd: string;
  deltaMonthlyUsd: string;
  withinBudget: boolean;
  budgetId: string | null;
  budgetName: string | null;
  remainingUsd: string | null;
  trafficRequests: string;
  windowFrom: string;
  windowTo: string;
  candidateCostPerMillionUsd: string;
  hardwareProfile: string;
  /** An ADMIN promoted although the gate would have refused. */
  overridden: boolean;
}

const headroomFields = (h: BudgetHeadroom<CoveringRow> | null) => ({
  budgetId: h?.budget.id ?? null,
  budgetName: h?.budget.name ?? null,
  remainingUsd: h ? formatMoney(h.remainingUsd) : null,
});

function costGateRecord(p: PromotionProjection, overridden = false): CostGateRecord {
  const shown = p.value.blockedBy ?? p.value.mostConstraining;
  return {
    currentMonthlyUsd: formatMoney(p.value.currentMonthlyUsd),
    projectedMonthlyUsd: formatMoney(p.value.projectedMonthlyUsd),
    deltaMonthlyUsd: formatMoney(p.value.deltaMonthlyUsd),
    withinBudget: p.value.withinBudget,
    ...headroomFields(shown),
    trafficRequests: p.requests.toString(),
    windowFrom: p.window.fromDay.toISOString().slice(0, 10),
    windowTo: p.window.toDay.toISOString().slice(0, 10),
    candidateCostPerMillionUsd: p.candidate.costPerMillionUsd,
    hardwareProfile: p.candidate.hardwareProfileName,
    overridden,
  };
}

/** Why the cost gate would refuse a promotion to PRODUCTION now: the budget and, when measured, the projection. */
export interface CostGateRefusal {
  budget: Budget;
  /** The budget's spend this period (Decimal string). */
  spentUsd: string;
  /** The gate's numbers; null for a version never measured (it cannot be priced). */
  record: CostGateRecord | null;
}

/**
 * What the gate below would decide for promoting `version` to PRODUCTION now, without promoting:
 * null when it would let it through, else the BLOCK_PROMOTION budget that refuses it (the same
 * projection and the same rule as `check`). For requestPromotionOverride.
 */
export async function costGateRefusal(
  db: Reader,
  version: { id: string; modelId: string },
  teamId: string,
  now: Date,
): Promise<CostGateRefusal | null> {
  const projection = await projectPromotion(db, version, teamId, now);
  if (!projection) {
    const blocking = (await coveringBudgets(db, { id: version.modelId, teamId }, now)).find(
      (b) => b.action === "BLOCK_PROMOTION",
    );
    return blocking ? { budget: blocking.row, spentUsd: formatMoney(blocking.spentUsd), record: null } : null;
  }
  const blockedBy = projection.value.blockedBy;
  if (!blockedBy) return null;
  return {
    budget: blockedBy.budget.row,
    spentUsd: formatMoney(blockedBy.budget.spentUsd),
    record: costGateRecord(projection),
  };
}

/**
 * The cost gate of promotions to PRODUCTION, for people and for auto-promotion alike. It
 * projects the model's monthly spend with the candidate serving its trailing-30-day traffic
 * (projectPromotion) and refuses with COST_GATE_BLOCKED, the numbers in the error's
 * extensions, when the increase is more than what is left this period of a BLOCK_PROMOTION
 * budget covering the model (its own or its team's). A version never measured cannot be
 * priced: it is refused when such a budget covers the model. An ADMIN's overrideReason
 * (checked by promoteVersion) lets the promotion through; the audit event records the
 * projection and that it was overridden. Other stages pass without a projection.
 */
export function costGate(opts: { now?: () => Date } = {}): PromotionGate {
  const now = opts.now ?? (() => new Date());
  return {
    async check(tx, { version, stage, overrideReason }) {
      if (stage !== "PRODUCTION") return;
      const at = now();
      const label = `version ${version.number} of model "${"name" in version.model ? String(version.model.name) : version.modelId}"`;
      const projection = await projectPromotion(tx, version, version.model.teamId, at);
      if (!projection) {
        const blocking = (await coveringBudgets(tx, { id: version.modelId, teamId: version.model.teamId }, at)).find(
          (b) => b.action === "BLOCK_PROMOTION",
        );
        if (!blocking) return;
        if (overrideReason)
          return { costGate: { overridden: true, unmeasured: true, budgetId: blocking.id, budgetName: blocking.name } };
        throw new AppError(
          ErrorCode.COST_GATE_BLOCKED,
          `Cannot promote ${label} to PRODUCTION: it has no cost measurement yet, so its cost cannot be checked against budget "${blocking.name}" (BLOCK_PROMOTION). Wait for its evaluation, or an ADMIN may override with overrideReason.`,
          { budgetId: blocking.id, budgetName: blocking.name },
        );
      }
      const blockedBy = projection.value.blockedBy;
      if (blockedBy && !overrideReason) {
        const r = costGateRecord(projection);
        throw new AppError(
          ErrorCode.COST_GATE_BLOCKED,
          `Cannot promote ${label} to PRODUCTION: at its trailing-30-day traffic (${r.trafficRequests} requests) monthly spend would go from $${r.currentMonthlyUsd} to $${r.projectedMonthlyUsd} (+$${r.deltaMonthlyUsd}), more than the $${r.remainingUsd} left this period in budget "${blockedBy.budget.name}" (BLOCK_PROMOTION). An ADMIN may override with overrideReason.`,
          {
            projectedMonthlyUsd: r.projectedMonthlyUsd,
            currentMonthlyUsd: r.currentMonthlyUsd,
            deltaMonthlyUsd: r.deltaMonthlyUsd,
            remainingUsd: r.remainingUsd,
            budgetId: r.budgetId,
            budgetName: r.budgetName,
            trafficRequests: r.trafficRequests,
          },
        );
      }
      return { costGate: costGateRecord(projection, blockedBy !== null) };
    },
  };
}
