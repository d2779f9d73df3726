export { writeAudit, auditJson, type AuditInput } from "./audit.ts";
export { lockArtifact, publishArtifact, removeIfUnreferenced, type PublishArtifactInput } from "./artifacts.ts";
export { createOptimizationJob, type CreateJobArgs } from "./optimization-jobs.ts";
export { promoteVersion, openGate, type PromoteArgs, type PromotionGate, type Promoter } from "./promote-version.ts";
export { budgetStatus, spendBetween, spendScope } from "./budgets/budget-status.ts";
