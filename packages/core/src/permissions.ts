import { AppError, ErrorCode, notFound } from "./errors.ts";
import type { Principal } from "./principal.ts";
import type { Role } from "./roles.ts";

/**
 * Who may call each mutation of the public contract (and each non-GraphQL write).
 * ADMIN does everything (alone: hardware profiles, which price every team's usage); FINANCE
 * manages budgets, alerts and webhooks;
 * ML_ENGINEER manages models, versions, datasets, policies, jobs and usage; VIEWER reads.
 * Every signed-in user may end its own session (logout) and change its own password.
 * Non-admins act only within their own team (checked by `assertTeamAccess`).
 */
export const MUTATION_PERMISSIONS = {
  login: "PUBLIC",
  createUser: ["ADMIN"],
  updateUser: ["ADMIN"],
  createTeam: ["ADMIN"],
  createApiKey: ["ADMIN", "FINANCE", "ML_ENGINEER"],
  revokeApiKey: ["ADMIN", "FINANCE", "ML_ENGINEER"],
  logout: ["ADMIN", "FINANCE", "ML_ENGINEER", "VIEWER"],
  revokeUserSessions: ["ADMIN"],
  changePassword: ["ADMIN", "FINANCE", "ML_ENGINEER", "VIEWER"],

  createModel: ["ADMIN", "ML_ENGINEER"],
  registerModelVersion: ["ADMIN", "ML_ENGINEER"],
  registerDataset: ["ADMIN", "ML_ENGINEER"],
  promoteModelVersion: ["ADMIN", "ML_ENGINEER"],
  /** Asks the team's ADMIN/FINANCE to override a cost gate refusal: those who may promote. */
  requestPromotionOverride: ["ADMIN", "ML_ENGINEER"],
  remeasureModelVersion: ["ADMIN", "ML_ENGINEER"],
  reevaluateModelVersion: ["ADMIN", "ML_ENGINEER"],

  // Hardware profiles are global (every team's versions are priced by them): ADMIN only.
  upsertHardwareProfile: ["ADMIN"],

  createBudget: ["ADMIN", "FINANCE"],
  updateBudget: ["ADMIN", "FINANCE"],
  deleteBudget: ["ADMIN", "FINANCE"],
  recordUsage: ["ADMIN", "ML_ENGINEER"],
  acknowledgeAlert: ["ADMIN", "FINANCE"],
  createSpendExport: ["ADMIN", "FINANCE"],
  setSpendExportSchedule: ["ADMIN", "FINANCE"],
  createWebhook: ["ADMIN", "FINANCE"],
  updateWebhook: ["ADMIN", "FINANCE"],
  deleteWebhook: ["ADMIN", "FINANCE"],
  /** Delivers a webhook.test event to one webhook: whoever manages webhooks. */
  sendTestWebhook: ["ADMIN", "FINANCE"],

  createOptimizationPolicy: ["ADMIN", "ML_ENGINEER"],
  updateOptimizationPolicy: ["ADMIN", "ML_ENGINEER"],
  runOptimizationPolicy: ["ADMIN", "ML_ENGINEER"],
  cancelOptimizationJob: ["ADMIN", "ML_ENGINEER"],
} as const satisfies Record<string, readonly Role[] | "PUBLIC">;

/**
 * Queries only some roles may run; every other query is open to any signed-in caller, within
 * its team. Webhooks are read by the roles that manage them: their URLs and delivery history
 * describe a team's integrations.
 */
export const QUERY_PERMISSIONS = {
  webhooks: ["ADMIN", "FINANCE"],
  // A team's spend line by line, as finance exports it.
  spendExport: ["ADMIN", "FINANCE"],
  spendExportSchedule: ["ADMIN", "FINANCE"],
} as const satisfies Record<string, readonly Role[]>;

/** Powers inside an action, not an action of their own. */
export const POWER_PERMISSIONS = {
  /** promoteModelVersion with an overrideReason: promote although the cost gate refuses. */
  overrideCostGate: ["ADMIN"],
} as const satisfies Record<string, readonly Role[]>;

export type Power = keyof typeof POWER_PERMISSIONS;

/** Whether a role has a power (roleless callers, such as the system's auto-promotion, have none). */
export function hasPower(role: string | null | undefined, power: Power): boolean {
  return !!role && (POWER_PERMISSIONS[power] as readonly string[]).includes(role);
}

/** Writes outside GraphQL. */
export const ENDPOINT_PERMISSIONS = {
  "POST /uploads": ["ADMIN", "ML_ENGINEER"],
  "GET /exports": ["ADMIN", "FINANCE"],
} as const satisfies Record<string, readonly Role[]>;

export type MutationName = keyof typeof MUTATION_PERMISSIONS;
type QueryName = keyof typeof QUERY_PERMISSIONS;
export type Action = MutationName | QueryName | keyof typeof ENDPOINT_PERMISSIONS;

function allowedRoles(action: Action): readonly Role[] | "PUBLIC" {
  if (action in MUTATION_PERMISSIONS) return MUTATION_PERMISSIONS[action as MutationName];
  if (action in QUERY_PERMISSIONS) return QUERY_PERMISSIONS[action as QueryName];
  return ENDPOINT_PERMISSIONS[action as keyof typeof ENDPOINT_PERMISSIONS];
}

/** The action as the refusal names it: "createWebhook", "read webhooks", "POST /uploads". */
const describeAction = (action: Action): string => (action in QUERY_PERMISSIONS ? `read ${action}` : action);

export function can(principal: Principal | null, action: Action): boolean {
  const roles = allowedRoles(action);
  if (roles === "PUBLIC") return true;
  return principal !== null && roles.includes(principal.role);
}

/** Throws UNAUTHENTICATED without a caller and FORBIDDEN when the role may not act. */
export function assertCan(principal: Principal | null, action: Action): asserts principal is Principal {
  const roles = allowedRoles(action);
  if (roles === "PUBLIC") return;
  if (!principal)
    throw new AppError(ErrorCode.UNAUTHENTICATED, "Sign in first: send Authorization: Bearer <token or API key>");
  if (!roles.includes(principal.role)) {
    throw new AppError(
      ErrorCode.FORBIDDEN,
      `Role ${principal.role} may not ${describeAction(action)} (allowed: ${roles.join(", ")})`,
    );
  }
}

/** The one team rule: an ADMIN reaches every team; anyone else only their own. */
export function inTeam(principal: Pick<Principal, "role" | "teamId">, teamId: string | null): boolean {
  return principal.role === "ADMIN" || (teamId !== null && principal.teamId === teamId);
}

/**
 * For a team the caller names (an input's teamId): FORBIDDEN outside the caller's team.
 * A row reached by its id uses assertVisible / visibleOrNull instead.
 */
export function assertTeamAccess(principal: Principal, teamId: string): void {
  if (!inTeam(principal, teamId)) {
    throw new AppError(ErrorCode.FORBIDDEN, "You can only act on your own team's resources");
  }
}

/**
 * A row reached by its id for a write: unknown, or another team's to a non-admin, is the same
 * NOT_FOUND, so the ids of other teams' rows do not leak.
 */
export function assertVisible<T>(
  principal: Principal,
  row: T | null | undefined,
  teamOf: (row: T) => string | null,
  entity: string,
  id: string,
): asserts row is T {
  if (row === null || row === undefined || !inTeam(principal, teamOf(row))) throw notFound(entity, id);
}

/** A row reached by its id for a nullable read: another team's row reads as missing (null) to a non-admin. */
export function visibleOrNull<T>(principal: Principal, row: T | null, teamOf: (row: T) => string | null): T | null {
  return row !== null && inTeam(principal, teamOf(row)) ? row : null;
}

/** The team filter for list queries: admins see every team (or the one asked), others only theirs. */
export function teamScope(principal: Principal, requestedTeamId?: string | null): string | undefined {
  if (principal.role === "ADMIN") return requestedTeamId ?? undefined;
  if (requestedTeamId && requestedTeamId !== principal.teamId) {
    throw new AppError(ErrorCode.FORBIDDEN, "You can only read your own team's resources");
  }
  if (!principal.teamId) throw new AppError(ErrorCode.FORBIDDEN, "Your account belongs to no team");
  return principal.teamId;
}
