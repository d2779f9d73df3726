import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../../../test/harness.ts";
import { SECRET, createWebhook } from "../../../../test/webhook-fixtures.ts";

// Receivers often carry their credential in the path (Slack, Teams, Discord incoming webhooks).
const URL_WITH_TOKEN = "https://hooks.example.com/services/T0001/B0002/xoxb-path-token-9f8e7d";

describe("the audit log of webhooks", () => {
  let api: TestApi;
  let teamId: string;
  beforeAll(async () => {
    api = await TestApi.start();
    teamId = await api.createTeam();
  });
  afterAll(() => api?.stop());

  it("keeps only the URL's origin, so a VIEWER (who may not read webhooks) never sees the path", async () => {
    const id = await createWebhook(api, teamId, { url: URL_WITH_TOKEN });
    await api.ok(`mutation($id:ID!,$i:UpdateWebhookInput!){ updateWebhook(id:$id, input:$i){ id } }`, {
      id,
      i: { url: `${URL_WITH_TOKEN}-rotated`, secret: "a-brand-new-secret-0123" },
    });
    await api.ok(`mutation($id:ID!){ deleteWebhook(id:$id) }`, { id });

    const viewer = await api.userToken("VIEWER", teamId);
    const { auditEvents } = await api.ok<{
      auditEvents: { edges: { node: { action: string; before: unknown; after: unknown } }[] };
    }>(`query($id:ID!){ auditEvents(entityId:$id){ edges { node { action before after } } } }`, { id }, viewer.token);
    expect(auditEvents.edges.map((e) => e.node.action).sort()).toEqual([
      "webhook.create",
      "webhook.delete",
      "webhook.update",
    ]);
    const text = JSON.stringify(auditEvents);
    for (const leaked of ["xoxb-path-token", "/services/", SECRET, "a-brand-new-secret-0123", "v1."])
      expect(text).not.toContain(leaked);
    const created = auditEvents.edges.find((e) => e.node.action === "webhook.create")!.node.after as { url: string };
    expect(created.url).toBe("https://hooks.example.com/…");
  });
});
