import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, TestApi } from "../../../../test/harness.ts";

const ME = `{ me { id role team { id } } }`;
const UPDATE = `mutation($id:ID!,$i:UpdateUserInput!){ updateUser(id:$id, input:$i){ id name role deactivatedAt team { id } } }`;
const LOGIN = `mutation($e:String!,$p:String!){ login(email:$e, password:$p){ token } }`;

const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;
const message = (r: { errors?: { message: string }[] }) => r.errors?.[0]?.message ?? "";

describe("updateUser", () => {
  let api: TestApi;
  let teamId: string;
  let otherTeamId: string;
  beforeAll(async () => {
    api = await TestApi.start();
    teamId = await api.createTeam();
    otherTeamId = await api.createTeam();
  });
  afterAll(() => api?.stop());

  it("ADMIN renames a user, changes its role and team; its token carries the new role at once; audited", async () => {
    const user = await api.userToken("VIEWER", teamId);
    expect((await api.gql<{ me: { role: string } }>(ME, {}, user.token)).data!.me.role).toBe("VIEWER");
    const r = await api.gql<{ updateUser: { name: string; role: string; team: { id: string } } }>(
      UPDATE,
      { id: user.id, i: { name: "Renamed", role: "FINANCE", teamId: otherTeamId } },
      api.adminToken,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.updateUser).toMatchObject({ name: "Renamed", role: "FINANCE", team: { id: otherTeamId } });
    const me = await api.gql<{ me: { role: string; team: { id: string } } }>(ME, {}, user.token);
    expect(me.data!.me).toMatchObject({ role: "FINANCE", team: { id: otherTeamId } });
    const audit = await api.db.auditEvent.findFirst({ where: { action: "user.update", entityId: user.id } });
    expect(audit?.before).toMatchObject({ role: "VIEWER", name: expect.any(String) });
    expect(audit?.after).toMatchObject({ role: "FINANCE", name: "Renamed" });
    expect(JSON.stringify(audit)).not.toMatch(/passwordHash|argon2/);
  });

  it("deactivating ends the user's sessions and refuses its login; activating lets it in again", async () => {
    const user = await api.userToken("ML_ENGINEER", teamId);
    const off = await api.gql<{ updateUser: { deactivatedAt: string | null } }>(
      UPDATE,
      { id: user.id, i: { active: false } },
      api.adminToken,
    );
    expect(off.data!.updateUser.deactivatedAt).not.toBeNull();
    expect(code(await api.gql(ME, {}, user.token))).toBe("UNAUTHENTICATED");
    const refused = await api.gql(LOGIN, { e: user.email, p: PASSWORD }, null);
    expect(code(refused)).toBe("UNAUTHENTICATED");
    expect(message(refused)).toMatch(/deactivated/);

    const on = await api.gql<{ updateUser: { deactivatedAt: string | null } }>(
      UPDATE,
      { id: user.id, i: { active: true } },
      api.adminToken,
    );
    expect(on.data!.updateUser.deactivatedAt).toBeNull();
    expect((await api.gql(ME, {}, await api.login(user.email, PASSWORD))).errors).toBeUndefined();
  });

  it("refuses what would leave a user invalid or lock the admin out, and writes nothing", async () => {
    const user = await api.userToken("VIEWER", teamId);
    const noTeam = await api.gql(UPDATE, { id: user.id, i: { teamId: null } }, api.adminToken);
    expect(code(noTeam)).toBe("BAD_USER_INPUT");
    expect(message(noTeam)).toMatch(/teamId: a VIEWER must belong to a team/);
    expect(code(await api.gql(UPDATE, { id: user.id, i: { teamId: "no-such-team" } }, api.adminToken))).toBe(
      "NOT_FOUND",
    );
    expect(code(await api.gql(UPDATE, { id: user.id, i: { name: " " } }, api.adminToken))).toBe("BAD_USER_INPUT");
    const admin = await api.gql<{ me: { id: string } }>(ME, {}, api.adminToken);
    const self = admin.data!.me.id;
    expect(message(await api.gql(UPDATE, { id: self, i: { active: false } }, api.adminToken))).toMatch(
      /cannot deactivate yourself/,
    );
    expect(message(await api.gql(UPDATE, { id: self, i: { role: "VIEWER" } }, api.adminToken))).toMatch(
      /cannot take the ADMIN role from yourself/,
    );
    expect(code(await api.gql(UPDATE, { id: "no-such-user", i: { name: "x" } }, api.adminToken))).toBe("NOT_FOUND");
    expect(await api.db.auditEvent.count({ where: { action: "user.update", entityId: user.id } })).toBe(0);
    const row = await api.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row).toMatchObject({ role: "VIEWER", teamId, deactivatedAt: null });
  });

  it("is ADMIN only", async () => {
    const target = await api.userToken("VIEWER", teamId);
    for (const role of ["FINANCE", "ML_ENGINEER", "VIEWER"] as const) {
      const caller = await api.userToken(role, teamId);
      expect(code(await api.gql(UPDATE, { id: target.id, i: { role: "ADMIN" } }, caller.token)), role).toBe(
        "FORBIDDEN",
      );
    }
    expect(code(await api.gql(UPDATE, { id: target.id, i: { name: "x" } }, null))).toBe("UNAUTHENTICATED");
  });
});
