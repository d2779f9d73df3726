import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../../../test/harness.ts";
import { createWebhook, recordDelivery } from "../../../../test/webhook-fixtures.ts";

const SEND = `mutation($id:ID!){ sendTestWebhook(webhookId:$id){ id event status attempts nextAttemptAt payload lastAttempt { statusCode } } }`;
const DELIVERIES = `query($t:ID){ webhooks(teamId:$t){ id deliveries { id event eventKey status attempts nextAttemptAt payload } } }`;

interface Sent {
  id: string;
  event: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  payload: Record<string, unknown>;
}

describe("sendTestWebhook, and what a delivery shows", () => {
  let api: TestApi;
  let teamA: string;
  let teamB: string;
  let finance: { id: string; token: string };
  let redis: Redis;
  let webhooksQueue: Queue;

  beforeAll(async () => {
    api = await TestApi.start();
    [teamA, teamB] = [await api.createTeam(), await api.createTeam()];
    finance = await api.userToken("FINANCE", teamA);
    redis = new Redis(api.env.REDIS_URL, { maxRetriesPerRequest: null });
    webhooksQueue = new Queue("webhooks", { connection: redis, prefix: api.env.QUEUE_PREFIX });
  });
  afterAll(async () => {
    await webhooksQueue?.obliterate({ force: true }).catch(() => {});
    await webhooksQueue?.close();
    await redis?.quit();
    await api?.stop();
  });

  it("queues a webhook.test delivery to a webhook that subscribes to other events, shows its payload, and audits it", async () => {
    const hook = await createWebhook(api, teamA, { events: ["job.finished"] });
    const { sendTestWebhook: sent } = await api.ok<{ sendTestWebhook: Sent }>(SEND, { id: hook }, finance.token);
    expect(sent).toMatchObject({ event: "webhook.test", status: "PENDING", attempts: 0, nextAttemptAt: null });
    // The body a COSTGATE receiver gets, deliveryId first, with who asked by name.
    expect(Object.keys(sent.payload)[0]).toBe("deliveryId");
    expect(Object.keys(sent.payload).sort()).toEqual([
      "data",
      "deliveryId",
      "event",
      "eventKey",
      "occurredAt",
      "teamId",
    ]);
    expect(sent.payload).toMatchObject({
      deliveryId: sent.id,
      event: "webhook.test",
      teamId: teamA,
      data: { webhookId: hook, requestedBy: "FINANCE" },
    });

    // Listed with the webhook's deliveries, and on the webhooks queue for a worker to send.
    const { webhooks } = await api.ok<{ webhooks: { id: string; deliveries: Sent[] }[] }>(
      DELIVERIES,
      { t: teamA },
      finance.token,
    );
    expect(webhooks.find((w) => w.id === hook)!.deliveries).toEqual([expect.objectContaining({ id: sent.id })]);
    expect(await webhooksQueue.getJob(`webhook-${sent.id}`)).toBeTruthy();

    const audit = await api.db.auditEvent.findMany({ where: { entityId: hook, action: "webhook.test" } });
    expect(audit).toEqual([
      expect.objectContaining({
        actor: `user:${finance.id}`,
        teamId: teamA,
        after: { deliveryId: sent.id, event: "webhook.test" },
      }),
    ]);
  });

  it("sends one test for a double click: both answer the same delivery, sent and audited once", async () => {
    const hook = await createWebhook(api, teamA);
    const [a, b] = await Promise.all([
      api.ok<{ sendTestWebhook: Sent }>(SEND, { id: hook }, finance.token),
      api.ok<{ sendTestWebhook: Sent }>(SEND, { id: hook }, finance.token),
    ]);
    expect(a.sendTestWebhook.id).toBe(b.sendTestWebhook.id);
    const again = await api.ok<{ sendTestWebhook: Sent }>(SEND, { id: hook }, finance.token);
    expect(again.sendTestWebhook.id).toBe(a.sendTestWebhook.id);
    expect(await api.db.webhookDelivery.count({ where: { webhookId: hook } })).toBe(1);
    expect(await api.db.auditEvent.count({ where: { entityId: hook, action: "webhook.test" } })).toBe(1);
  });

  it("sends another once the interval has passed", async () => {
    const hook = await createWebhook(api, teamA);
    const first = await api.ok<{ sendTestWebhook: Sent }>(SEND, { id: hook }, finance.token);
    api.setNow(new Date(Date.now() + 11_000));
    try {
      const second = await api.ok<{ sendTestWebhook: Sent }>(SEND, { id: hook }, finance.token);
      expect(second.sendTestWebhook.id).not.toBe(first.sendTestWebhook.id);
    } finally {
      api.setNow(null);
    }
    expect(await api.db.webhookDelivery.count({ where: { webhookId: hook, event: "webhook.test" } })).toBe(2);
  });

  it("refuses a disabled webhook, another team's, and the roles that do not manage webhooks", async () => {
    const hook = await createWebhook(api, teamA);
    await api.db.webhook.update({ where: { id: hook }, data: { enabled: false } });
    const disabled = await api.gql(SEND, { id: hook }, finance.token);
    expect(disabled.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(disabled.errors?.[0]?.message).toMatch(/disabled: enable it/);

    const other = await createWebhook(api, teamB);
    const foreign = await api.gql(SEND, { id: other }, finance.token);
    expect(foreign.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");

    for (const role of ["VIEWER", "ML_ENGINEER"] as const) {
      const { token } = await api.userToken(role, teamA);
      const r = await api.gql(SEND, { id: other }, token);
      expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    expect(await api.db.webhookDelivery.count({ where: { webhookId: { in: [hook, other] } } })).toBe(0);
  });

  it("says when a delivery waiting for a retry will be tried again, and nothing once it settled", async () => {
    const hook = await createWebhook(api, teamA);
    const retry = await recordDelivery(api, hook, {
      eventKey: "k-retry",
      at: "2026-03-01T10:00:00Z",
      attempts: [{ statusCode: 503, durationMs: 80, error: "receiver answered HTTP 503", at: "2026-03-01T10:00:01Z" }],
    });
    await api.db.webhookDelivery.update({
      where: { id: retry.id },
      data: { nextAttemptAt: new Date("2026-03-01T10:00:11Z") },
    });
    await recordDelivery(api, hook, {
      eventKey: "k-done",
      at: "2026-03-02T10:00:00Z",
      status: "SUCCEEDED",
      deliveredAt: "2026-03-02T10:00:01Z",
      attempts: [{ statusCode: 200, durationMs: 41, at: "2026-03-02T10:00:01Z" }],
    });
    const { webhooks } = await api.ok<{ webhooks: { id: string; deliveries: (Sent & { eventKey: string })[] }[] }>(
      DELIVERIES,
      { t: teamA },
      finance.token,
    );
    const deliveries = webhooks.find((w) => w.id === hook)!.deliveries;
    expect(deliveries.map((d) => [d.eventKey, d.status, d.nextAttemptAt])).toEqual([
      ["k-done", "SUCCEEDED", null],
      ["k-retry", "PENDING", "2026-03-01T10:00:11.000Z"],
    ]);
    expect(deliveries[1]!.payload).toEqual({ deliveryId: retry.id, event: "alert.created", eventKey: "k-retry" });
  });
});
