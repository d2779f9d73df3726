export { writeAudit, auditJson, type AuditInput } from "./audit.ts";
export {
  claimArtifact,
  lockArtifact,
  publishArtifact,
  removeIfUnreferenced,
  type PublishArtifactInput,
} from "./artifacts.ts";
export { createOptimizationJob, type CreateJobArgs } from "./optimization-jobs.ts";
export { promoteVersion, openGate, type PromoteArgs } from "./promote-version.ts";
export type { PromotionGate, Promoter } from "./promotion-gate.ts";
export { budgetStatus, budgetStatuses, spendBetween, spendsBetween, spendScope } from "./budgets/budget-status.ts";
export { emitEvent } from "./events/emit-event.ts";
export { recordEvent, type EventEnvelope } from "./events/record-event.ts";
export { enqueueDeliveries } from "./events/enqueue-deliveries.ts";
export { emitJobFinished } from "./events/emit-job-finished.ts";
export {
  costGate,
  costGateRecord,
  coveringBudgets,
  projectPromotion,
  type CostGateRecord,
  type PromotionProjection,
} from "./budgets/cost-gate.ts";
export {
  addressProblem,
  guardedLookup,
  webhookTargetProblem,
  PrivateTargetError,
  type TargetPolicy,
} from "./webhooks/webhook-target.ts";
export { latestCosts } from "./latest-costs.ts";
