import { describe, expect, it } from "vitest";
import { AppError } from "./errors.ts";
import {
  MUTATION_PERMISSIONS,
  QUERY_PERMISSIONS,
  assertCan,
  assertTeamAccess,
  assertVisible,
  can,
  hasPower,
  inTeam,
  teamScope,
  visibleOrNull,
  type Action,
} from "./permissions.ts";
import type { Principal } from "./principal.ts";
import type { Role } from "./roles.ts";

const principal = (role: Role, teamId: string | null = "team-a"): Principal => ({
  kind: "user",
  id: `${role}-id`,
  role,
  teamId,
  actor: `user:${role}-id`,
});

/** The AppError fn throws (fails the test when it throws nothing or something else). */
function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error("expected an AppError, nothing was thrown");
}

const mutations = Object.keys(MUTATION_PERMISSIONS) as (keyof typeof MUTATION_PERMISSIONS)[];
const queries = Object.keys(QUERY_PERMISSIONS) as (keyof typeof QUERY_PERMISSIONS)[];

describe("assertCan", () => {
  it("lets anyone log in, signed in or not", () => {
    expect(() => assertCan(null, "login")).not.toThrow();
    expect(() => assertCan(principal("VIEWER"), "login")).not.toThrow();
  });

  it("asks for credentials (UNAUTHENTICATED, 401) for every other mutation", () => {
    for (const m of mutations.filter((m) => m !== "login")) {
      const e = thrown(() => assertCan(null, m));
      expect(e.code).toBe("UNAUTHENTICATED");
      expect(e.httpStatus).toBe(401);
    }
  });

  it("lets an ADMIN do everything", () => {
    for (const m of [...mutations, ...queries]) expect(() => assertCan(principal("ADMIN", null), m)).not.toThrow();
    expect(() => assertCan(principal("ADMIN", null), "POST /uploads")).not.toThrow();
  });

  it("lets a VIEWER change nothing but its own session and password, with a FORBIDDEN (403) naming the role and who may", () => {
    const selfService = ["login", "logout", "changePassword"];
    for (const m of selfService) expect(can(principal("VIEWER"), m as Action), m).toBe(true);
    for (const m of mutations.filter((m) => !selfService.includes(m))) {
      const e = thrown(() => assertCan(principal("VIEWER"), m));
      expect(e.code).toBe("FORBIDDEN");
      expect(e.httpStatus).toBe(403);
      expect(e.message).toContain("VIEWER");
      expect(e.message).toContain(m);
      expect(e.message).toContain("ADMIN");
    }
    expect(thrown(() => assertCan(principal("VIEWER"), "POST /uploads")).code).toBe("FORBIDDEN");
  });

  it.each<[Role, Action[], Action[]]>([
    [
      "FINANCE",
      [
        "createBudget",
        "updateBudget",
        "deleteBudget",
        "acknowledgeAlert",
        "createWebhook",
        "updateWebhook",
        "deleteWebhook",
        "webhooks",
        "createApiKey",
      ],
      [
        "upsertHardwareProfile",
        "createModel",
        "registerModelVersion",
        "recordUsage",
        "createUser",
        "createTeam",
        "POST /uploads",
        "runOptimizationPolicy",
      ],
    ],
    [
      "ML_ENGINEER",
      [
        "createModel",
        "registerModelVersion",
        "registerDataset",
        "promoteModelVersion",
        "recordUsage",
        "createOptimizationPolicy",
        "runOptimizationPolicy",
        "POST /uploads",
        "createApiKey",
      ],
      [
        "upsertHardwareProfile",
        "createBudget",
        "acknowledgeAlert",
        "createWebhook",
        "updateWebhook",
        "deleteWebhook",
        "webhooks",
        "createUser",
        "createTeam",
      ],
    ],
  ])("a %s may do its own work and nothing else", (role, allowed, refused) => {
    for (const a of allowed) {
      expect(can(principal(role), a), a).toBe(true);
      expect(() => assertCan(principal(role), a), a).not.toThrow();
    }
    for (const a of refused) {
      expect(can(principal(role), a), a).toBe(false);
      expect(thrown(() => assertCan(principal(role), a)).code, a).toBe("FORBIDDEN");
    }
  });

  it("lets only the roles that manage webhooks read them, with a FORBIDDEN that says it is a read", () => {
    expect(QUERY_PERMISSIONS.webhooks).toEqual(MUTATION_PERMISSIONS.createWebhook);
    expect(MUTATION_PERMISSIONS.updateWebhook).toEqual(MUTATION_PERMISSIONS.createWebhook);
    expect(MUTATION_PERMISSIONS.deleteWebhook).toEqual(MUTATION_PERMISSIONS.createWebhook);
    for (const role of ["VIEWER", "ML_ENGINEER"] as const) {
      const e = thrown(() => assertCan(principal(role), "webhooks"));
      expect(e.code).toBe("FORBIDDEN");
      expect(e.message).toBe(`Role ${role} may not read webhooks (allowed: ADMIN, FINANCE)`);
    }
    expect(thrown(() => assertCan(null, "webhooks")).code).toBe("UNAUTHENTICATED");
  });

  it("only ADMIN may create users and teams", () => {
    expect(MUTATION_PERMISSIONS.createUser).toEqual(["ADMIN"]);
    expect(MUTATION_PERMISSIONS.createTeam).toEqual(["ADMIN"]);
  });

  it("treats an API key like a user of the same role", () => {
    const key: Principal = { kind: "apikey", id: "k", role: "ML_ENGINEER", teamId: "team-a", actor: "apikey:k" };
    expect(() => assertCan(key, "createModel")).not.toThrow();
    expect(thrown(() => assertCan(key, "createBudget")).code).toBe("FORBIDDEN");
  });
});

describe("assertTeamAccess", () => {
  it("lets an ADMIN act on any team, with or without its own", () => {
    expect(() => assertTeamAccess(principal("ADMIN", null), "team-b")).not.toThrow();
    expect(() => assertTeamAccess(principal("ADMIN", "team-a"), "team-b")).not.toThrow();
  });

  it("lets a non-admin act on its own team only", () => {
    for (const role of ["FINANCE", "ML_ENGINEER", "VIEWER"] as const) {
      expect(() => assertTeamAccess(principal(role, "team-a"), "team-a")).not.toThrow();
      const e = thrown(() => assertTeamAccess(principal(role, "team-a"), "team-b"));
      expect(e.code).toBe("FORBIDDEN");
      expect(e.message).toMatch(/own team/);
    }
  });

  it("refuses a non-admin without a team", () => {
    expect(thrown(() => assertTeamAccess(principal("ML_ENGINEER", null), "team-a")).code).toBe("FORBIDDEN");
  });
});

describe("teamScope", () => {
  it("gives an ADMIN every team, or the one asked for", () => {
    expect(teamScope(principal("ADMIN", null))).toBeUndefined();
    expect(teamScope(principal("ADMIN", "team-a"))).toBeUndefined();
    expect(teamScope(principal("ADMIN", null), "team-b")).toBe("team-b");
    expect(teamScope(principal("ADMIN", null), null)).toBeUndefined();
  });

  it("limits a non-admin to its own team", () => {
    expect(teamScope(principal("VIEWER", "team-a"))).toBe("team-a");
    expect(teamScope(principal("VIEWER", "team-a"), null)).toBe("team-a");
    expect(teamScope(principal("VIEWER", "team-a"), "team-a")).toBe("team-a");
  });

  it("refuses a non-admin asking for another team, or belonging to none", () => {
    expect(thrown(() => teamScope(principal("FINANCE", "team-a"), "team-b")).code).toBe("FORBIDDEN");
    const e = thrown(() => teamScope(principal("VIEWER", null)));
    expect(e.code).toBe("FORBIDDEN");
    expect(e.message).toMatch(/no team/);
  });
});

describe("rows reached by id (assertVisible, visibleOrNull)", () => {
  const row = { id: "b-1", teamId: "team-b" };

  it("answers another team's row exactly as an unknown one, so its id does not leak", () => {
    const other = thrown(() =>
      assertVisible(principal("ML_ENGINEER", "team-a"), row, (r) => r.teamId, "Budget", "b-1"),
    );
    const unknown = thrown(() =>
      assertVisible(principal("ML_ENGINEER", "team-a"), null, (r: typeof row) => r.teamId, "Budget", "b-1"),
    );
    expect([other.code, other.message]).toEqual([unknown.code, unknown.message]);
    expect(other.code).toBe("NOT_FOUND");
    expect(visibleOrNull(principal("VIEWER", "team-a"), row, (r) => r.teamId)).toBeNull();
  });

  it("lets the row's team and an ADMIN see it; a row of no team only an ADMIN", () => {
    expect(() => assertVisible(principal("VIEWER", "team-b"), row, (r) => r.teamId, "Budget", "b-1")).not.toThrow();
    expect(visibleOrNull(principal("ADMIN", null), row, (r) => r.teamId)).toBe(row);
    expect(inTeam(principal("FINANCE", null), null)).toBe(false);
    expect(inTeam(principal("ADMIN", null), null)).toBe(true);
  });
});

describe("powers", () => {
  it("lets only an ADMIN override the cost gate, and no roleless caller (the system)", () => {
    expect(hasPower("ADMIN", "overrideCostGate")).toBe(true);
    for (const role of ["FINANCE", "ML_ENGINEER", "VIEWER", undefined])
      expect(hasPower(role, "overrideCostGate")).toBe(false);
  });
});
