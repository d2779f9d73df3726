import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookSignatureProblem } from "@costgate/secrets";
import { TestApi, startWorker, until } from "../../test/flow.ts";
import { budget, policy, readyModel, receiver, spend, type Received } from "../../test/budget-fixtures.ts";
import type { CostgateWorker } from "../create-worker.ts";
import { checkBudgets } from "../features/check-budgets.ts";
import { finishJob } from "../features/finish-job.ts";
import { deliverWebhook, webhookBackoff } from "../features/deliver-webhook.ts";

/**
 * Webhooks end to end: a real worker consuming the budgets and webhooks queues, and a real
 * HTTP server on 127.0.0.1 receiving signed deliveries. Retries back off from 50 ms here; a
 * receiver that does not answer times out after 1.5 s.
 */
let api: TestApi;
let worker: CostgateWorker;
const SECRET = "receiver-secret-0123456789";
const receivers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  // The receivers listen on 127.0.0.1: private targets allowed, in the API and the worker
  // (webhook-ssrf.test.ts shows them refused otherwise).
  api = await TestApi.start({ WEBHOOK_ALLOW_PRIVATE_TARGETS: "true" });
  worker = await startWorker(api, {
    WEBHOOK_BACKOFF_BASE_MS: "50",
    WEBHOOK_TIMEOUT_MS: "1500",
    WEBHOOK_ALLOW_PRIVATE_TARGETS: "true",
  });
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await Promise.all(receivers.map((r) => r.close()));
  await api?.stop();
});

async function hook(
  answer?: Parameters<typeof receiver>[0],
  events = ["alert.created", "job.finished", "version.promoted"],
) {
  const teamId = await api.createTeam();
  const r = await receiver(answer);
  receivers.push(r);
  const { createWebhook } = await api.ok<{ createWebhook: { id: string } }>(
    `mutation($i:CreateWebhookInput!){ createWebhook(input:$i){ id } }`,
    { i: { teamId, url: r.url, secret: SECRET, events } },
  );
  return { teamId, webhookId: createWebhook.id, ...r };
}

/** What a receiver does with a delivery: check the signature over the raw body, then parse it. */
function verified(req: Received) {
  expect(webhookSignatureProblem(SECRET, req.headers["costgate-signature"] as string, req.body)).toBeNull();
  expect(req.headers["costgate-signature"]).toBe(
    `t=${req.headers["costgate-timestamp"]},v1=${(req.headers["costgate-signature"] as string).split("v1=")[1]}`,
  );
  expect(req.headers["content-type"]).toBe("application/json");
  const body = JSON.parse(req.body);
  expect(body.event).toBe(req.headers["costgate-event"]);
  // The id receivers dedupe on is signed: a capture replayed under a new id is refused.
  expect(body.deliveryId).toBe(req.headers["costgate-delivery"]);
  expect(
    webhookSignatureProblem(
      SECRET,
      req.headers["costgate-signature"] as string,
      req.body,
      undefined,
      undefined,
      `${body.deliveryId}-replayed`,
    ),
  ).toMatch(/is not the signed deliveryId/);
  return body;
}

const settled = (webhookId: string, count: number) =>
  until(
    `${count} settled deliveries of ${webhookId}`,
    async () => {
      const rows = await api.db.webhookDelivery.findMany({
        where: { webhookId, status: { not: "PENDING" } },
        include: { attemptsLog: { orderBy: { createdAt: "asc" } } },
      });
      return rows.length >= count ? rows : undefined;
    },
    60_000,
    100,
  );

describe("webhook deliveries", () => {
  it("delivers alert.created, signed, to a real HTTP receiver", async () => {
    const h = await hook();
    const { version } = await readyModel(api.db, h.teamId);
    await spend(api.db, version, h.teamId, "2025-01-10", "60.000000");
    const b = await budget(api.db, h.teamId, { amountUsd: "100", alertThresholds: [0.5, 0.8, 1] });
    await checkBudgets(worker.deps, { teamId: h.teamId, now: new Date("2025-01-16T00:00:00.000Z") });

    // One actual alert (50%), and one forecast alert: only the highest threshold the forecast reaches.
    const deliveries = await settled(h.webhookId, 2);
    expect(
      deliveries.every(
        (d) => d.status === "SUCCEEDED" && d.attempts === 1 && d.attemptsLog[0]!.statusCode === 200 && d.deliveredAt,
      ),
    ).toBe(true);
    expect(h.received).toHaveLength(2);
    const bodies = h.received.map(verified);
    expect(new Set(h.received.map((r) => r.headers["costgate-delivery"]))).toEqual(
      new Set(deliveries.map((d) => d.id)),
    );
    expect(bodies.map((x) => [x.data.kind, x.data.threshold]).sort()).toEqual([
      ["THRESHOLD_ACTUAL", 0.5],
      ["THRESHOLD_FORECAST", 1],
    ]);
    expect(bodies[0]).toMatchObject({
      event: "alert.created",
      teamId: h.teamId,
      data: {
        budget: { id: b.id, amountUsd: "100.000000" },
        spentUsd: "60.000000",
        forecastUsd: "220.000000",
        periodStart: "2025-01-01T00:00:00.000Z",
      },
    });
  }, 60_000);

  it("checks budgets soon after usage is recorded: 20 racing recordUsage calls make one alert per threshold, delivered", async () => {
    const h = await hook(undefined, ["alert.created"]);
    const { version } = await readyModel(api.db, h.teamId);
    // $1 per inference on the default hardware profile, as a worker's measurement would set it.
    const profile = await api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } });
    await api.db.costMeasurement.create({
      data: {
        versionId: version.id,
        hardwareProfileId: profile.id,
        backend: "wasm",
        batchSize: 32,
        latencyP50Ms: 1,
        latencyP95Ms: 1,
        latencyP99Ms: 1,
        throughputPerSecond: 1,
        peakMemoryBytes: 1,
        modelSizeBytes: 1,
        loadTimeMs: 1,
        macsPerInference: 1,
        costPerMillionUsd: "1000000",
        runs: 20,
      },
    });
    const b = await budget(api.db, h.teamId, { amountUsd: "100", alertThresholds: [0.5] });
    const record = (i: number) =>
      api.ok(`mutation($i:[UsageInput!]!){ recordUsage(input:$i){ accepted } }`, {
        i: [{ versionId: version.id, requests: 3, occurredAt: new Date().toISOString(), idempotencyKey: `race-${i}` }],
      });
    await Promise.all(Array.from({ length: 20 }, (_, i) => record(i)));

    const deliveries = await settled(h.webhookId, 1);
    const alerts = await api.db.alert.findMany({ where: { budgetId: b.id }, orderBy: { kind: "asc" } });
    expect(alerts.map((a) => [a.kind, a.threshold])).toEqual([["THRESHOLD_ACTUAL", 0.5]]);
    expect(deliveries.map((d) => d.eventKey).sort()).toEqual(alerts.map((a) => `alert.created:${a.id}`).sort());
    expect(deliveries.every((d) => d.status === "SUCCEEDED")).toBe(true);
    for (const req of h.received) expect(verified(req).data.budget.id).toBe(b.id);
  }, 60_000);

  it("retries a receiver that answers 500, then 200, and records both attempts", async () => {
    const h = await hook((n) => (n === 1 ? 500 : 200), ["job.finished"]);
    const { version } = await readyModel(api.db, h.teamId);
    const p = await policy(api.db, h.teamId);
    const job = await api.db.optimizationJob.create({
      data: { policyId: p.id, sourceVersionId: version.id, steps: [], triggeredBy: "manual", createdBy: "system" },
    });
    await finishJob(worker.deps, job.id, { error: "the step crashed" });

    const [delivery] = await settled(h.webhookId, 1);
    expect(delivery).toMatchObject({ status: "SUCCEEDED", attempts: 2, event: "job.finished", nextAttemptAt: null });
    expect(delivery!.attemptsLog.map((a) => [a.statusCode, a.error])).toEqual([
      [500, "receiver answered HTTP 500"],
      [200, null],
    ]);
    expect(h.received).toHaveLength(2);
    expect(h.received[0]!.headers["costgate-delivery"]).toBe(h.received[1]!.headers["costgate-delivery"]);
    const body = verified(h.received[1]!);
    expect(body).toMatchObject({
      event: "job.finished",
      data: { jobId: job.id, status: "FAILED", error: "the step crashed", sourceVersionId: version.id },
    });
  }, 60_000);

  it("delivers job.finished when the API cancels a job no worker had taken", async () => {
    const h = await hook(undefined, ["job.finished"]);
    const { version } = await readyModel(api.db, h.teamId);
    const p = await policy(api.db, h.teamId);
    const job = await api.db.optimizationJob.create({
      data: { policyId: p.id, sourceVersionId: version.id, steps: [], triggeredBy: "manual", createdBy: "system" },
    });
    const r = await api.ok<{ cancelOptimizationJob: { status: string } }>(
      `mutation($id:ID!){ cancelOptimizationJob(id:$id){ status } }`,
      { id: job.id },
    );
    expect(r.cancelOptimizationJob.status).toBe("CANCELLED");
    const [delivery] = await settled(h.webhookId, 1);
    expect(delivery).toMatchObject({ status: "SUCCEEDED", event: "job.finished", eventKey: `job.finished:${job.id}` });
    expect(verified(h.received[0]!)).toMatchObject({ data: { jobId: job.id, status: "CANCELLED" } });
  }, 60_000);

  it("retries a receiver that does not answer in time (version.promoted from a promotion)", async () => {
    // The first request is held past the worker's 1.5 s timeout; the retry is answered at once.
    const h = await hook((n) => (n === 1 ? { status: 200, holdMs: 5_000 } : 200), ["version.promoted"]);
    const { version } = await readyModel(api.db, h.teamId, "CANDIDATE");
    await api.ok(`mutation($i:PromoteModelVersionInput!){ promoteModelVersion(input:$i){ version { stage } } }`, {
      i: { versionId: version.id, stage: "STAGING" },
    });

    const [delivery] = await settled(h.webhookId, 1);
    expect(delivery).toMatchObject({ status: "SUCCEEDED", attempts: 2, event: "version.promoted" });
    expect(delivery!.attemptsLog.map((a) => [a.statusCode, a.error])).toEqual([
      [null, "no answer within 1500 ms"],
      [200, null],
    ]);
    const body = verified(h.received[1]!);
    expect(body).toMatchObject({
      event: "version.promoted",
      teamId: h.teamId,
      data: { versionId: version.id, modelId: version.modelId, fromStage: "CANDIDATE", stage: "STAGING" },
    });
  }, 60_000);

  it("gives up as FAILED after the last of 8 attempts, each recorded", async () => {
    const h = await hook(() => 503, ["version.promoted"]);
    const { version } = await readyModel(api.db, h.teamId, "CANDIDATE");
    await api.ok(`mutation($i:PromoteModelVersionInput!){ promoteModelVersion(input:$i){ version { stage } } }`, {
      i: { versionId: version.id, stage: "STAGING" },
    });

    const [failed] = await settled(h.webhookId, 1);
    expect(failed).toMatchObject({ status: "FAILED", attempts: 8, deliveredAt: null, nextAttemptAt: null });
    expect(failed!.attemptsLog.map((a) => a.statusCode)).toEqual(Array(8).fill(503));
    expect(h.received).toHaveLength(8);
    expect(new Set(h.received.map((r) => r.headers["costgate-delivery"]))).toEqual(new Set([failed!.id]));
  }, 60_000);

  it("records when a failed attempt will be tried again (the backoff), and forgets it once the delivery settles", async () => {
    const h = await hook((n) => (n <= 2 ? 503 : 200), ["job.finished"]);
    // Attempts made here by hand, as the queue would make them, with a 10-minute base: the retry
    // the row announces is then 10, then 20 minutes after the attempt that failed.
    const deps = { ...worker.deps, webhooks: { ...worker.deps.webhooks, backoffBaseMs: 600_000 } };
    const delivery = await api.db.webhookDelivery.create({
      data: { webhookId: h.webhookId, event: "job.finished", eventKey: `k-${h.webhookId}`, payload: { data: {} } },
    });
    const row = () => api.db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect((await row()).nextAttemptAt).toBeNull();
    for (const attempt of [1, 2]) {
      const before = Date.now();
      await expect(deliverWebhook(deps, delivery.id, { attempt, finalAttempt: false })).rejects.toThrow(/HTTP 503/);
      const after = Date.now();
      const wait = 600_000 * 2 ** (attempt - 1);
      const { status, attempts, nextAttemptAt } = await row();
      expect({ status, attempts }).toEqual({ status: "PENDING", attempts: attempt });
      expect(nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(before + wait);
      expect(nextAttemptAt!.getTime()).toBeLessThanOrEqual(after + wait);
      // The same rule BullMQ is given to delay the job.
      expect(webhookBackoff(600_000)(attempt)).toBe(wait);
    }
    expect(await deliverWebhook(deps, delivery.id, { attempt: 3, finalAttempt: false })).toBe("SUCCEEDED");
    expect(await row()).toMatchObject({ status: "SUCCEEDED", attempts: 3, nextAttemptAt: null });

    // A last attempt that fails leaves nothing to wait for either.
    const never = await hook(() => 503, ["job.finished"]);
    const last = await api.db.webhookDelivery.create({
      data: { webhookId: never.webhookId, event: "job.finished", eventKey: "k-last", payload: { data: {} } },
    });
    await expect(deliverWebhook(deps, last.id, { attempt: 1, finalAttempt: false })).rejects.toThrow(/HTTP 503/);
    await expect(deliverWebhook(deps, last.id, { attempt: 2, finalAttempt: true })).rejects.toThrow(/HTTP 503/);
    expect(await api.db.webhookDelivery.findUniqueOrThrow({ where: { id: last.id } })).toMatchObject({
      status: "FAILED",
      attempts: 2,
      nextAttemptAt: null,
    });
  }, 60_000);

  it("delivers a test event to any webhook: the envelope, or a Slack message people read, signed alike", async () => {
    const json = await hook(undefined, ["alert.created"]);
    const slack = await hook(undefined, ["alert.created"]);
    await api.ok(`mutation($id:ID!,$i:UpdateWebhookInput!){ updateWebhook(id:$id, input:$i){ id } }`, {
      id: slack.webhookId,
      i: { format: "SLACK" },
    });
    const send = (id: string) =>
      api.ok<{ sendTestWebhook: { id: string } }>(`mutation($id:ID!){ sendTestWebhook(webhookId:$id){ id } }`, { id });
    const sentJson = (await send(json.webhookId)).sendTestWebhook;
    const sentSlack = (await send(slack.webhookId)).sendTestWebhook;

    const [jsonDelivery] = await settled(json.webhookId, 1);
    expect(jsonDelivery).toMatchObject({ id: sentJson.id, status: "SUCCEEDED", event: "webhook.test" });
    expect(json.received[0]!.headers["costgate-event"]).toBe("webhook.test");
    expect(verified(json.received[0]!)).toMatchObject({
      event: "webhook.test",
      teamId: json.teamId,
      data: { webhookId: json.webhookId, requestedBy: expect.any(String) },
    });

    const [slackDelivery] = await settled(slack.webhookId, 1);
    expect(slackDelivery).toMatchObject({ id: sentSlack.id, status: "SUCCEEDED" });
    const req = slack.received[0]!;
    expect(webhookSignatureProblem(SECRET, req.headers["costgate-signature"] as string, req.body)).toBeNull();
    const message = JSON.parse(req.body) as { text: string; blocks: unknown[] };
    expect(message.text.split("\n").slice(0, 2)).toEqual([
      "Test event from Costgate",
      expect.stringMatching(
        / sent this from the Webhooks page to check that this address receives Costgate's messages\./,
      ),
    ]);
    expect(message.blocks).toHaveLength(1);
  }, 60_000);
});
