import type { Principal } from "@costgate/core";
import { describe, expect, it } from "vitest";
import { callerKey, scopesRead, scopesWritten } from "./cache-scopes.ts";

const caller = (p: Partial<Principal>): Principal => ({
  kind: "user",
  id: "u1",
  role: "ML_ENGINEER",
  teamId: "t1",
  actor: "user:u1",
  sessionId: "s1",
  ...p,
});
const member = caller({});
const admin = caller({ role: "ADMIN", teamId: null, id: "a1" });
const teamAdmin = caller({ role: "ADMIN", teamId: "t1", id: "a2" });
const teamless = caller({ role: "VIEWER", teamId: null, id: "v1" });
const otherTeam = caller({ teamId: "t2", id: "u2" });

/** Whether a mutation by `writer` gives a new generation to a scope `reader` reads. */
const reaches = (writer: Principal | null, reader: Principal) =>
  scopesWritten(writer).some((s) => scopesRead(reader).includes(s));

describe("which kept answers a mutation drops", () => {
  it("a member's: their own team's and every ADMIN's, not another team's", () => {
    expect(reaches(member, caller({ id: "u3", role: "VIEWER" }))).toBe(true);
    expect(reaches(member, member)).toBe(true);
    expect(reaches(member, admin)).toBe(true);
    expect(reaches(member, teamAdmin)).toBe(true);
    expect(reaches(member, teamless)).toBe(true);
    expect(reaches(member, otherTeam)).toBe(false);
  });

  it("an ADMIN's (with a team or without), a teamless caller's or an anonymous login: everyone's", () => {
    for (const writer of [admin, teamAdmin, teamless, null])
      for (const reader of [member, otherTeam, admin, teamAdmin, teamless]) expect(reaches(writer, reader)).toBe(true);
  });

  it("an API key follows its role and team", () => {
    const key = caller({ kind: "apikey", id: "k1", sessionId: undefined, teamId: "t2" });
    expect(reaches(key, otherTeam)).toBe(true);
    expect(reaches(key, member)).toBe(false);
  });
});

describe("whose answer it is", () => {
  it("differs for two sessions of one user, another role, another team, a key", () => {
    const keys = [
      member,
      caller({ sessionId: "s2" }),
      caller({ role: "VIEWER" }),
      caller({ teamId: "t2" }),
      caller({ kind: "apikey", sessionId: undefined }),
    ].map(callerKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
