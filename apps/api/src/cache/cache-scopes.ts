import type { Principal } from "@costgate/core";

/**
 * Which cached answers a mutation can make wrong, as scopes: an answer is cached under the
 * current generation of every scope its caller reads, and a mutation gives every scope it writes
 * a new generation, so what was cached before it is not served again.
 *
 * Follows core's team rule (`inTeam`): an ADMIN reaches every team, anyone else only their own
 * team and what is global (hardware profiles), which only an ADMIN changes.
 * - A member of a team (not an ADMIN) reads `team:<id>` and `all`; an ADMIN, or a caller without a
 *   team, reads `any`.
 * - Every mutation writes `any`; a member's also `team:<id>`; anyone else's (an ADMIN's, a teamless
 *   caller's, an anonymous login) `all`, which every member reads.
 */
export function scopesRead(caller: Principal): string[] {
  return isMember(caller) ? [`team:${caller.teamId}`, "all"] : ["any"];
}

export function scopesWritten(caller: Principal | null): string[] {
  return caller && isMember(caller) ? ["any", `team:${caller.teamId}`] : ["any", "all"];
}

const isMember = (caller: Principal) => caller.role !== "ADMIN" && caller.teamId !== null;

/**
 * The part of a cache key that says whose answer it is: the session (a user's token) or the API
 * key, with the role and team it was answered for. Never shared between two sessions.
 */
export function callerKey(caller: Principal): string {
  return [caller.kind, caller.id, caller.sessionId ?? "", caller.role, caller.teamId ?? ""].join(":");
}
