import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSecret, secretBoxKey } from "@costgate/secrets";
import { TestApi } from "../../../../test/harness.ts";
import { SECRET, createWebhook } from "../../../../test/webhook-fixtures.ts";

const UPDATE = `mutation($id:ID!,$i:UpdateWebhookInput!){ updateWebhook(id:$id, input:$i){ id url events enabled updatedAt } }`;
type Updated = { updateWebhook: { id: string; url: string; events: string[]; enabled: boolean; updatedAt: string } };
const NEW_SECRET = "whsec-the-rotated-secret-4567";

describe("updateWebhook", () => {
  let api: TestApi;
  let teamId: string;
  let finance: string;

  beforeAll(async () => {
    api = await TestApi.start();
    teamId = await api.createTeam();
    finance = (await api.userToken("FINANCE", teamId)).token;
  });
  afterAll(() => api?.stop());

  it("changes only the given fields and records before and after in the audit log", async () => {
    const id = await createWebhook(api, teamId, { events: ["alert.created"] });
    const before = await api.db.webhook.findUniqueOrThrow({ where: { id } });
    const { updateWebhook } = await api.ok<Updated>(
      UPDATE,
      {
        id,
        i: { url: " https://new.example.com/hook ", events: ["job.finished", "job.finished", "version.promoted"] },
      },
      finance,
    );
    expect(updateWebhook).toMatchObject({
      id,
      url: "https://new.example.com/hook",
      events: ["job.finished", "version.promoted"],
      enabled: true,
    });
    const row = await api.db.webhook.findUniqueOrThrow({ where: { id } });
    expect(row.secret).toBe(before.secret);
    expect(row.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());

    const audit = await api.db.auditEvent.findFirstOrThrow({ where: { entityId: id, action: "webhook.update" } });
    expect(audit).toMatchObject({
      entityType: "Webhook",
      teamId,
      before: expect.objectContaining({ url: "https://hooks.example.com/…", events: ["alert.created"] }),
      after: expect.objectContaining({ url: "https://new.example.com/…" }),
    });
    expect(audit.actor).toMatch(/^user:/);
  });

  it("switches a webhook off and on", async () => {
    const id = await createWebhook(api, teamId);
    expect((await api.ok<Updated>(UPDATE, { id, i: { enabled: false } }, finance)).updateWebhook.enabled).toBe(false);
    expect((await api.db.webhook.findUniqueOrThrow({ where: { id } })).enabled).toBe(false);
    expect((await api.ok<Updated>(UPDATE, { id, i: { enabled: true } }, finance)).updateWebhook.enabled).toBe(true);
    expect(await api.db.auditEvent.count({ where: { entityId: id, action: "webhook.update" } })).toBe(2);
  });

  it("stores a new secret encrypted and keeps it out of the audit log, which says it was rotated", async () => {
    const id = await createWebhook(api, teamId);
    await api.ok<Updated>(UPDATE, { id, i: { secret: NEW_SECRET } }, finance);
    const row = await api.db.webhook.findUniqueOrThrow({ where: { id } });
    expect(row.secret).not.toContain(NEW_SECRET);
    expect(openSecret(secretBoxKey(api.env.COSTGATE_SECRET_KEY), row.secret)).toBe(NEW_SECRET);
    const audit = await api.db.auditEvent.findFirstOrThrow({ where: { entityId: id, action: "webhook.update" } });
    expect(audit.after).toMatchObject({ secretRotated: true });
    for (const leaked of [NEW_SECRET, SECRET, row.secret]) expect(JSON.stringify(audit)).not.toContain(leaked);
  });

  it.each([
    [{ url: "ftp://hooks.example.com/x" }, "url", /http or https/],
    [{ url: "not a url" }, "url", /not an absolute URL/],
    [{ url: "https://user:pass@hooks.example.com/x" }, "url", /credentials/],
    [{ secret: "short-secret" }, "secret", /at least 16 characters/],
    [{ events: [] }, "events", /at least one event/],
    [{ events: ["alert.created", "budget.deleted"] }, "events.1", /unknown event "budget.deleted"/],
    [{ enabled: false, url: "https://ok.example.com/x", events: ["nope"] }, "events.0", /unknown event "nope"/],
  ])(
    "refuses %o with BAD_USER_INPUT naming the field, leaving the webhook as it was",
    async (input, field, message) => {
      const id = await createWebhook(api, teamId);
      const before = await api.db.webhook.findUniqueOrThrow({ where: { id } });
      const auditBefore = await api.db.auditEvent.count();
      const r = await api.gql(UPDATE, { id, i: input }, finance);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(r.errors?.[0]?.message).toMatch(message);
      expect(await api.db.webhook.findUniqueOrThrow({ where: { id } })).toEqual(before);
      expect(await api.db.auditEvent.count()).toBe(auditBefore);
    },
  );

  it("answers NOT_FOUND for an unknown id and for another team's webhook, writing nothing", async () => {
    const auditBefore = await api.db.auditEvent.count();
    const missing = await api.gql(UPDATE, { id: "no-such-webhook", i: { enabled: false } }, finance);
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND", id: "no-such-webhook" });
    expect(missing.errors?.[0]?.message).toBe("Webhook no-such-webhook not found");

    const theirs = await createWebhook(api, await api.createTeam());
    const before = await api.db.webhook.findUniqueOrThrow({ where: { id: theirs } });
    const auditAfterSetup = await api.db.auditEvent.count();
    expect(auditAfterSetup).toBeGreaterThan(auditBefore);
    const r = await api.gql(UPDATE, { id: theirs, i: { enabled: false } }, finance);
    expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(await api.db.webhook.findUniqueOrThrow({ where: { id: theirs } })).toEqual(before);
    expect(await api.db.auditEvent.count()).toBe(auditAfterSetup);

    // An ADMIN may change any team's webhook.
    expect((await api.ok<Updated>(UPDATE, { id: theirs, i: { enabled: false } })).updateWebhook.enabled).toBe(false);
  });
});
