import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, TestApi } from "../../../../test/harness.ts";
import { until } from "@costgate/testkit";

const ME = `{ me { id } }`;
const LOGOUT = `mutation { logout }`;
const REVOKE_SESSIONS = `mutation($u:ID!){ revokeUserSessions(userId:$u) }`;
const CHANGE_PASSWORD = `mutation($c:String!,$n:String!){ changePassword(currentPassword:$c, newPassword:$n) }`;
const CREATE_KEY = `mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ secret apiKey { id expiresAt } } }`;
const REVOKE_KEY = `mutation($id:ID!){ revokeApiKey(id:$id){ id revokedAt } }`;

const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;
const message = (r: { errors?: { message: string }[] }) => r.errors?.[0]?.message ?? "";

describe("ending sessions and keys", () => {
  let api: TestApi;
  let teamId: string;
  beforeAll(async () => {
    api = await TestApi.start();
    teamId = await api.createTeam();
  });
  afterAll(() => api?.stop());

  describe("logout", () => {
    it("refuses the token that logged out from then on, and only that one", async () => {
      const user = await api.userToken("VIEWER", teamId);
      const other = await api.login(user.email, PASSWORD);
      const r = await api.gql<{ logout: boolean }>(LOGOUT, {}, user.token);
      expect(r.errors).toBeUndefined();
      expect(r.data!.logout).toBe(true);
      const after = await api.gql(ME, {}, user.token);
      expect(code(after)).toBe("UNAUTHENTICATED");
      expect(message(after)).toMatch(/ended/);
      expect((await api.gql(ME, {}, other)).errors).toBeUndefined();
    });

    it("needs a session: an API key cannot log out, an anonymous caller is UNAUTHENTICATED", async () => {
      const key = await api.ok<{ createApiKey: { secret: string } }>(CREATE_KEY, {
        i: { name: "k", role: "VIEWER", teamId },
      });
      expect(code(await api.gql(LOGOUT, {}, key.createApiKey.secret))).toBe("BAD_USER_INPUT");
      expect(code(await api.gql(LOGOUT, {}, null))).toBe("UNAUTHENTICATED");
    });
  });

  describe("revokeUserSessions", () => {
    it("ADMIN: every session of the user ends; the user can log in again", async () => {
      const user = await api.userToken("ML_ENGINEER", teamId);
      const second = await api.login(user.email, PASSWORD);
      const r = await api.gql<{ revokeUserSessions: boolean }>(REVOKE_SESSIONS, { u: user.id }, api.adminToken);
      expect(r.errors).toBeUndefined();
      expect(r.data!.revokeUserSessions).toBe(true);
      expect(code(await api.gql(ME, {}, user.token))).toBe("UNAUTHENTICATED");
      expect(code(await api.gql(ME, {}, second))).toBe("UNAUTHENTICATED");
      expect((await api.gql(ME, {}, await api.login(user.email, PASSWORD))).errors).toBeUndefined();
      expect(await api.db.auditEvent.count({ where: { action: "user.revokeSessions", entityId: user.id } })).toBe(1);
    });

    it("answers NOT_FOUND for an unknown user and FORBIDDEN for a non-admin", async () => {
      expect(code(await api.gql(REVOKE_SESSIONS, { u: "no-such-user" }, api.adminToken))).toBe("NOT_FOUND");
      const finance = await api.userToken("FINANCE", teamId);
      expect(code(await api.gql(REVOKE_SESSIONS, { u: finance.id }, finance.token))).toBe("FORBIDDEN");
    });
  });

  describe("changePassword", () => {
    it("ends every other session of the user, keeps this one, and the new password logs in", async () => {
      const user = await api.userToken("FINANCE", teamId);
      const elsewhere = await api.login(user.email, PASSWORD);
      const r = await api.gql<{ changePassword: boolean }>(
        CHANGE_PASSWORD,
        { c: PASSWORD, n: "a-brand-new-password-42" },
        user.token,
      );
      expect(r.errors).toBeUndefined();
      expect(code(await api.gql(ME, {}, elsewhere))).toBe("UNAUTHENTICATED");
      expect((await api.gql(ME, {}, user.token)).errors).toBeUndefined();
      expect((await api.gql(ME, {}, await api.login(user.email, "a-brand-new-password-42"))).errors).toBeUndefined();
    });

    it("refuses a wrong current password and a short new one, changing nothing", async () => {
      const user = await api.userToken("VIEWER", teamId);
      const wrong = await api.gql(CHANGE_PASSWORD, { c: "not-my-password", n: "another-long-password" }, user.token);
      expect(code(wrong)).toBe("BAD_USER_INPUT");
      expect(message(wrong)).toMatch(/currentPassword/);
      expect(message(await api.gql(CHANGE_PASSWORD, { c: PASSWORD, n: "short" }, user.token))).toMatch(/newPassword/);
      expect(await api.login(user.email, PASSWORD)).toBeTruthy();
    });
  });

  describe("API key expiry", () => {
    it("refuses an expiresAt in the past", async () => {
      const r = await api.gql(
        CREATE_KEY,
        { i: { name: "old", role: "VIEWER", teamId, expiresAt: "2020-01-01T00:00:00Z" } },
        api.adminToken,
      );
      expect(code(r)).toBe("BAD_USER_INPUT");
      expect(message(r)).toMatch(/expiresAt/);
    });

    it("serves a key until its expiresAt, then refuses it naming the instant (a verified key is not trusted past it)", async () => {
      const expiresAt = new Date(Date.now() + 1_500);
      const created = await api.ok<{ createApiKey: { secret: string; apiKey: { id: string; expiresAt: string } } }>(
        CREATE_KEY,
        { i: { name: "soon", role: "VIEWER", teamId, expiresAt: expiresAt.toISOString() } },
      );
      expect(created.createApiKey.apiKey.expiresAt).toBe(expiresAt.toISOString());
      expect((await api.gql(ME, {}, created.createApiKey.secret)).errors).toBeUndefined();
      const refused = await until(
        "the key to be refused",
        async () => {
          const r = await api.gql(ME, {}, created.createApiKey.secret);
          return r.errors ? { r, at: Date.now() } : undefined;
        },
        10_000,
        50,
      );
      expect(refused.at).toBeGreaterThanOrEqual(expiresAt.getTime());
      expect(refused.at).toBeLessThan(expiresAt.getTime() + 1_000);
      expect(code(refused.r)).toBe("UNAUTHENTICATED");
      expect(message(refused.r)).toMatch(/expired/);
    });
  });

  describe("keys created by a key", () => {
    const mlKey = async (expiresAt?: string) =>
      (
        await api.ok<{ createApiKey: { secret: string; apiKey: { id: string; expiresAt: string | null } } }>(
          CREATE_KEY,
          { i: { name: "parent", role: "ML_ENGINEER", teamId, ...(expiresAt ? { expiresAt } : {}) } },
        )
      ).createApiKey;

    it("are revoked with the key that created them, down the chain", async () => {
      const parent = await mlKey();
      const child = (
        await api.ok<{ createApiKey: { secret: string } }>(
          CREATE_KEY,
          { i: { name: "child", role: "ML_ENGINEER", teamId } },
          parent.secret,
        )
      ).createApiKey;
      const grandchild = (
        await api.ok<{ createApiKey: { secret: string } }>(
          CREATE_KEY,
          { i: { name: "grandchild", role: "VIEWER", teamId } },
          child.secret,
        )
      ).createApiKey;
      expect((await api.gql(ME, {}, grandchild.secret)).errors).toBeUndefined();
      await api.ok(REVOKE_KEY, { id: parent.apiKey.id });
      expect(code(await api.gql(ME, {}, child.secret))).toBe("UNAUTHENTICATED");
      expect(code(await api.gql(ME, {}, grandchild.secret))).toBe("UNAUTHENTICATED");
    });

    it("never outlive it: no expiresAt inherits the parent's, a later one is refused", async () => {
      const expiresAt = new Date(Date.now() + 3600_000).toISOString();
      const parent = await mlKey(expiresAt);
      const child = await api.ok<{ createApiKey: { apiKey: { expiresAt: string } } }>(
        CREATE_KEY,
        { i: { name: "child", role: "VIEWER", teamId } },
        parent.secret,
      );
      expect(child.createApiKey.apiKey.expiresAt).toBe(expiresAt);
      const later = await api.gql(
        CREATE_KEY,
        { i: { name: "later", role: "VIEWER", teamId, expiresAt: new Date(Date.now() + 7200_000).toISOString() } },
        parent.secret,
      );
      expect(code(later)).toBe("BAD_USER_INPUT");
      expect(message(later)).toMatch(/expiresAt.*outlive/);
    });
  });
});
