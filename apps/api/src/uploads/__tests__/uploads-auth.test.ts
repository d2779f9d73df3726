import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../../test/harness.ts";

/**
 * POST /uploads with the real authenticator of the server (uploads-route.test.ts swaps it for a
 * stand-in): session tokens and API keys, revoked, expired and of a role that may not upload.
 */
const CSV = join(import.meta.dirname, "../../../test/fixtures/datasets/tiny.csv");
const CREATE_KEY = `mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ secret apiKey { id } } }`;

describe("POST /uploads authentication", () => {
  let api: TestApi;
  let teamId: string;
  beforeAll(async () => {
    api = await TestApi.start();
    teamId = await api.createTeam();
  });
  afterAll(() => api?.stop());

  const upload = async (token: string | null) => {
    const form = new FormData();
    form.append("kind", "dataset");
    form.append("file", new Blob([await readFile(CSV)]), "tiny.csv");
    const res = await fetch(`${api.url}/uploads`, {
      method: "POST",
      headers: token ? { authorization: `Bearer ${token}` } : {},
      body: form,
    });
    const body = (await res.json()) as { artifactId?: string; error?: { code: string; message: string } };
    return { status: res.status, body };
  };
  const key = async (role: string) =>
    (
      await api.ok<{ createApiKey: { secret: string; apiKey: { id: string } } }>(CREATE_KEY, {
        i: { name: "k", role, teamId },
      })
    ).createApiKey;

  it("accepts an ML_ENGINEER's session token and an ML_ENGINEER API key", async () => {
    const engineer = await api.userToken("ML_ENGINEER", teamId);
    const bySession = await upload(engineer.token);
    expect(bySession.status).toBe(201); // a new artifact
    expect(bySession.body.artifactId).toBeTruthy();
    const byKey = await upload((await key("ML_ENGINEER")).secret);
    expect(byKey.status).toBe(200); // the same content again: the stored artifact
  });

  it("refuses no credentials, a logged-out session, a revoked key and an expired key with 401", async () => {
    expect((await upload(null)).status).toBe(401);
    const engineer = await api.userToken("ML_ENGINEER", teamId);
    await api.ok(`mutation { logout }`, {}, engineer.token);
    const loggedOut = await upload(engineer.token);
    expect(loggedOut.status).toBe(401);
    expect(loggedOut.body.error?.code).toBe("UNAUTHENTICATED");

    const revoked = await key("ML_ENGINEER");
    await api.ok(`mutation($id:ID!){ revokeApiKey(id:$id){ id } }`, { id: revoked.apiKey.id });
    const r = await upload(revoked.secret);
    expect(r.status).toBe(401);
    expect(r.body.error?.message).toMatch(/revoked/);

    const expired = await key("ML_ENGINEER");
    await api.db.apiKey.update({ where: { id: expired.apiKey.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const e = await upload(expired.secret);
    expect(e.status).toBe(401);
    expect(e.body.error?.message).toMatch(/expired/);
  });

  it("refuses a VIEWER key with 403 FORBIDDEN", async () => {
    const r = await upload((await key("VIEWER")).secret);
    expect(r.status).toBe(403);
    expect(r.body.error?.code).toBe("FORBIDDEN");
  });
});
