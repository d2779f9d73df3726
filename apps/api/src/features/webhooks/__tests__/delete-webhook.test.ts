import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../../../test/harness.ts";
import { SECRET, createWebhook, recordDelivery } from "../../../../test/webhook-fixtures.ts";

const DELETE = `mutation($id:ID!){ deleteWebhook(id:$id) }`;

describe("deleteWebhook", () => {
  let api: TestApi;
  let teamId: string;
  let finance: string;

  beforeAll(async () => {
    api = await TestApi.start();
    teamId = await api.createTeam();
    finance = (await api.userToken("FINANCE", teamId)).token;
  });
  afterAll(() => api?.stop());

  it("removes the webhook with its deliveries and their attempts, and audits what it was", async () => {
    const id = await createWebhook(api, teamId, { url: "https://gone.example.com/hook" });
    const kept = await createWebhook(api, teamId);
    await recordDelivery(api, id, {
      eventKey: "k1",
      at: "2026-03-01T00:00:00Z",
      status: "FAILED",
      attempts: [{ statusCode: 500, durationMs: 12, error: "receiver answered HTTP 500", at: "2026-03-01T00:00:01Z" }],
    });
    await recordDelivery(api, id, { eventKey: "k2", at: "2026-03-02T00:00:00Z" });
    await recordDelivery(api, kept, { eventKey: "k1", at: "2026-03-01T00:00:00Z" });

    expect((await api.ok<{ deleteWebhook: boolean }>(DELETE, { id }, finance)).deleteWebhook).toBe(true);

    expect(await api.db.webhook.findUnique({ where: { id } })).toBeNull();
    expect(await api.db.webhookDelivery.count({ where: { webhookId: id } })).toBe(0);
    expect(await api.db.webhookAttempt.count({ where: { delivery: { webhookId: id } } })).toBe(0);
    expect(await api.db.webhookDelivery.count({ where: { webhookId: kept } })).toBe(1);
    const listed = await api.ok<{ webhooks: { id: string }[] }>(`{ webhooks { id } }`, {}, finance);
    expect(listed.webhooks.map((w) => w.id)).toEqual([kept]);

    const audit = await api.db.auditEvent.findFirstOrThrow({ where: { entityId: id, action: "webhook.delete" } });
    expect(audit).toMatchObject({
      entityType: "Webhook",
      teamId,
      before: expect.objectContaining({ url: "https://gone.example.com/…", deliveries: 2 }),
      after: null,
    });
    expect(JSON.stringify(audit)).not.toContain(SECRET);
    expect(JSON.stringify(audit.before)).not.toContain("secret");
  });

  it("answers NOT_FOUND for an unknown (or already deleted) id and for another team's webhook, deleting nothing", async () => {
    const id = await createWebhook(api, teamId);
    await api.ok(DELETE, { id }, finance);
    const auditBefore = await api.db.auditEvent.count();
    const again = await api.gql(DELETE, { id }, finance);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND", id });
    expect(await api.db.auditEvent.count()).toBe(auditBefore);

    const theirs = await createWebhook(api, await api.createTeam());
    await recordDelivery(api, theirs, { eventKey: "k1", at: "2026-03-01T00:00:00Z" });
    const auditAfterSetup = await api.db.auditEvent.count();
    const r = await api.gql(DELETE, { id: theirs }, finance);
    expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(r.data).toBeNull();
    expect(await api.db.webhook.findUnique({ where: { id: theirs } })).not.toBeNull();
    expect(await api.db.webhookDelivery.count({ where: { webhookId: theirs } })).toBe(1);
    expect(await api.db.auditEvent.count()).toBe(auditAfterSetup);
  });

  it.each(["VIEWER", "ML_ENGINEER"] as const)("refuses a %s of the team", async (role) => {
    const id = await createWebhook(api, teamId);
    const { token } = await api.userToken(role, teamId);
    const r = await api.gql(DELETE, { id }, token);
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await api.db.webhook.findUnique({ where: { id } })).not.toBeNull();
  });
});
