export { writeAudit } from "./audit.ts";
export { claimArtifact, lockArtifact, publishArtifact, removeIfUnreferenced } from "./artifacts.ts";
export { createOptimizationJob } from "./optimization-jobs.ts";
export { promoteVersion } from "./promote-version.ts";
export type { PromotionGate } from "./promotion-gate.ts";
export { budgetStatus, budgetStatuses, spendByModel } from "./budgets/budget-status.ts";
export { recordEvent } from "./events/record-event.ts";
export { recordTestEvent } from "./events/record-test-event.ts";
export { enqueueDeliveries } from "./events/enqueue-deliveries.ts";
export { emitJobFinished } from "./events/emit-job-finished.ts";
export { costGate, costGateRefusal, projectPromotion, type CostGateRecord } from "./budgets/cost-gate.ts";
export {
  addressProblem,
  guardedLookup,
  webhookTargetProblem,
  PrivateTargetError,
  type TargetPolicy,
} from "./webhooks/webhook-target.ts";
export { latestCosts } from "./latest-costs.ts";
export { productionSavings } from "./usage/production-savings.ts";
export { writeSpendExport } from "./exports/write-spend-export.ts";
