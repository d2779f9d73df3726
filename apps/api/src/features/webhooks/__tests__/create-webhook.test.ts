import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSecret, secretBoxKey } from "@costgate/secrets";
import { TestApi } from "../../../../test/harness.ts";

const CREATE = `mutation($i:CreateWebhookInput!){ createWebhook(input:$i){ id url events createdAt } }`;
const SECRET = "whsec-a-signing-secret-0123";

describe("createWebhook", () => {
  let api: TestApi;
  let teamId: string;
  let finance: string;

  beforeAll(async () => {
    api = await TestApi.start();
    teamId = await api.createTeam();
    finance = (await api.userToken("FINANCE", teamId)).token;
  });
  afterAll(() => api?.stop());

  const input = (over: Record<string, unknown> = {}) => ({
    i: {
      teamId,
      url: "https://hooks.example.com/costgate?x=1",
      secret: SECRET,
      events: ["alert.created", "job.finished"],
      ...over,
    },
  });

  it("registers a webhook for a FINANCE member of the team and never returns the secret", async () => {
    const { createWebhook } = await api.ok<{ createWebhook: { id: string; url: string; events: string[] } }>(
      CREATE,
      input({ events: ["alert.created", "alert.created", "version.promoted"] }),
      finance,
    );
    expect(createWebhook).toMatchObject({
      url: "https://hooks.example.com/costgate?x=1",
      events: ["alert.created", "version.promoted"],
    });
    const asked = await api.gql(
      `mutation($i:CreateWebhookInput!){ createWebhook(input:$i){ id secret } }`,
      input(),
      finance,
    );
    expect(asked.errors?.[0]?.message).toMatch(/Cannot query field "secret"/);
  });

  it("takes a Slack-compatible format, COSTGATE when omitted, and refuses an unknown one", async () => {
    const Q = `mutation($i:CreateWebhookInput!){ createWebhook(input:$i){ id format } }`;
    const plain = await api.ok<{ createWebhook: { format: string } }>(Q, input(), finance);
    expect(plain.createWebhook.format).toBe("COSTGATE");
    const slack = await api.ok<{ createWebhook: { id: string; format: string } }>(
      Q,
      input({ format: "SLACK" }),
      finance,
    );
    expect(slack.createWebhook.format).toBe("SLACK");
    const updated = await api.ok<{ updateWebhook: { format: string } }>(
      `mutation($id:ID!,$i:UpdateWebhookInput!){ updateWebhook(id:$id, input:$i){ format } }`,
      { id: slack.createWebhook.id, i: { format: "COSTGATE" } },
      finance,
    );
    expect(updated.updateWebhook.format).toBe("COSTGATE");
    const before = await api.db.webhook.count({ where: { teamId } });
    const bad = await api.gql(Q, input({ format: "TEAMS" }), finance);
    expect(bad.errors?.[0]?.message).toMatch(/WebhookFormat/);
    expect(await api.db.webhook.count({ where: { teamId } })).toBe(before);
  });

  it("stores the secret encrypted (AES-256-GCM under COSTGATE_SECRET_KEY), not in plaintext, and keeps it out of the audit log", async () => {
    const { createWebhook } = await api.ok<{ createWebhook: { id: string } }>(CREATE, input(), finance);
    const row = await api.db.webhook.findUniqueOrThrow({ where: { id: createWebhook.id } });
    expect(row.secret).not.toContain(SECRET);
    expect(row.secret).toMatch(/^v1\./);
    expect(openSecret(secretBoxKey(api.env.COSTGATE_SECRET_KEY), row.secret)).toBe(SECRET);
    const [raw] = await api.db.$queryRaw<{ secret: string }[]>`SELECT secret FROM webhooks WHERE id = ${row.id}`;
    expect(raw!.secret).not.toContain(SECRET);
    const audit = await api.db.auditEvent.findFirstOrThrow({ where: { entityType: "Webhook", entityId: row.id } });
    expect(audit).toMatchObject({ action: "webhook.create", teamId });
    expect(JSON.stringify(audit)).not.toContain(SECRET);
    expect(JSON.stringify(audit)).not.toContain(row.secret);
  });

  it.each([
    [{ url: "ftp://hooks.example.com/x" }, "input.url", /http or https/],
    [{ url: "not a url" }, "input.url", /not an absolute URL/],
    [{ url: "https://user:pass@hooks.example.com/x" }, "input.url", /credentials/],
    [{ secret: "short-secret" }, "input.secret", /at least 16 characters/],
    [{ events: [] }, "input.events", /at least one event/],
    [
      { events: ["alert.created", "budget.deleted"] },
      "input.events.1",
      /unknown event "budget.deleted".*alert.created, job.finished, version.promoted/,
    ],
  ])("refuses %o with BAD_USER_INPUT naming the field", async (over, field, message) => {
    const before = await api.db.webhook.count();
    const r = await api.gql(CREATE, input(over), finance);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: field.replace(/^input\./, "") });
    expect(r.errors?.[0]?.message).toMatch(message);
    expect(await api.db.webhook.count()).toBe(before);
  });

  it("keeps a team's members to their own team and answers NOT_FOUND for an unknown team", async () => {
    const other = await api.createTeam();
    const r = await api.gql(CREATE, input({ teamId: other }), finance);
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const ml = await api.userToken("ML_ENGINEER", teamId);
    expect((await api.gql(CREATE, input(), ml.token)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(
      (await api.gql(CREATE, input({ teamId: "no-such-team" }), api.adminToken)).errors?.[0]?.extensions?.code,
    ).toBe("NOT_FOUND");
  });
});
