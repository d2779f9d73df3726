// What each role may do, to decide which controls to show. Each capability is a row of core's
// permission table (packages/core/src/permissions.ts), the one the API enforces: a control is
// hidden exactly when the API would refuse.
import { ENDPOINT_PERMISSIONS, MUTATION_PERMISSIONS, POWER_PERMISSIONS } from "@costgate/core";
import type { Role } from "@/gql/graphql";

const RULES = {
  manageBudgets: MUTATION_PERMISSIONS.createBudget,
  acknowledgeAlerts: MUTATION_PERMISSIONS.acknowledgeAlert,
  manageWebhooks: MUTATION_PERMISSIONS.createWebhook,
  manageHardware: MUTATION_PERMISSIONS.upsertHardwareProfile,
  manageModels: MUTATION_PERMISSIONS.createModel,
  upload: ENDPOINT_PERMISSIONS["POST /uploads"],
  promote: MUTATION_PERMISSIONS.promoteModelVersion,
  /** remeasureModelVersion / reevaluateModelVersion */
  measureAgain: MUTATION_PERMISSIONS.remeasureModelVersion,
  overrideCostGate: POWER_PERMISSIONS.overrideCostGate,
  managePolicies: MUTATION_PERMISSIONS.createOptimizationPolicy,
  runPolicies: MUTATION_PERMISSIONS.runOptimizationPolicy,
  cancelJobs: MUTATION_PERMISSIONS.cancelOptimizationJob,
  createUsers: MUTATION_PERMISSIONS.createUser,
  createTeams: MUTATION_PERMISSIONS.createTeam,
  manageApiKeys: MUTATION_PERMISSIONS.createApiKey,
} as const satisfies Record<string, readonly Role[]>;

export type Capability = keyof typeof RULES;

export function can(role: Role | null | undefined, capability: Capability): boolean {
  return !!role && (RULES[capability] as readonly Role[]).includes(role);
}
