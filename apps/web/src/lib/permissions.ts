// What each role may do, to decide which controls to show. The API enforces the same table
// (packages/core/src/permissions.ts); this copy only hides controls a role cannot use.
export type Role = "ADMIN" | "FINANCE" | "ML_ENGINEER" | "VIEWER";

const RULES = {
  manageBudgets: ["ADMIN", "FINANCE"],
  acknowledgeAlerts: ["ADMIN", "FINANCE"],
  manageWebhooks: ["ADMIN", "FINANCE"],
  manageHardware: ["ADMIN"],
  manageModels: ["ADMIN", "ML_ENGINEER"],
  upload: ["ADMIN", "ML_ENGINEER"],
  promote: ["ADMIN", "ML_ENGINEER"],
  /** remeasureModelVersion / reevaluateModelVersion */
  measureAgain: ["ADMIN", "ML_ENGINEER"],
  overrideCostGate: ["ADMIN"],
  managePolicies: ["ADMIN", "ML_ENGINEER"],
  runPolicies: ["ADMIN", "ML_ENGINEER"],
  cancelJobs: ["ADMIN", "ML_ENGINEER"],
  createUsers: ["ADMIN"],
  createTeams: ["ADMIN"],
  manageApiKeys: ["ADMIN", "FINANCE", "ML_ENGINEER"],
} as const satisfies Record<string, readonly Role[]>;

export type Capability = keyof typeof RULES;

export function can(role: Role | null | undefined, capability: Capability): boolean {
  return !!role && (RULES[capability] as readonly Role[]).includes(role);
}
