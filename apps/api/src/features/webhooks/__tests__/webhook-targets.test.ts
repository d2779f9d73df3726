import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../../../test/harness.ts";

const CREATE = `mutation($i:CreateWebhookInput!){ createWebhook(input:$i){ id url } }`;
const UPDATE = `mutation($id:ID!,$i:UpdateWebhookInput!){ updateWebhook(id:$id, input:$i){ id url } }`;

describe("webhook targets: no internal addresses (SSRF)", () => {
  let api: TestApi;
  let teamId: string;
  beforeAll(async () => {
    api = await TestApi.start();
    teamId = await api.createTeam();
  });
  afterAll(() => api?.stop());

  const input = (url: string) => ({ teamId, url, secret: "a-signing-secret-0123", events: ["alert.created"] });

  it.each([
    "http://127.0.0.1:6379/",
    "http://localhost:5432/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:4000/graphql",
    "http://10.1.2.3/hook",
  ])("createWebhook refuses %s with BAD_USER_INPUT on url", async (url) => {
    const r = await api.gql(CREATE, { i: input(url) }, api.adminToken);
    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(r.errors?.[0]?.message).toMatch(/url: .*(loopback|private|link-local)[^;]* address/);
    expect(await api.db.webhook.count({ where: { url } })).toBe(0);
  });

  it("updateWebhook refuses moving a webhook to an internal address", async () => {
    const { createWebhook } = await api.ok<{ createWebhook: { id: string } }>(CREATE, {
      i: input("https://hooks.example.com/costgate"),
    });
    const r = await api.gql(UPDATE, { id: createWebhook.id, i: { url: "http://127.0.0.1:6379/" } }, api.adminToken);
    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect((await api.db.webhook.findUniqueOrThrow({ where: { id: createWebhook.id } })).url).toBe(
      "https://hooks.example.com/costgate",
    );
  });

  it("WEBHOOK_ALLOW_PRIVATE_TARGETS=true allows them (local development and tests)", async () => {
    const open = await TestApi.start({ WEBHOOK_ALLOW_PRIVATE_TARGETS: "true" });
    try {
      const r = await open.gql(
        CREATE,
        { i: { ...input("http://127.0.0.1:9/hook"), teamId: await open.createTeam() } },
        open.adminToken,
      );
      expect(r.errors).toBeUndefined();
    } finally {
      await open.stop();
    }
  });
});
