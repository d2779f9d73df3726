// The issue-5 walkthrough, through the API alone, as a new user would: a FINANCE key sets a
// $100 monthly budget (thresholds 0.5/0.8/1.0, BLOCK_PROMOTION) on a team and a webhook to a
// local receiver; an ML key records usage until spend crosses 50% and then 80%; the alerts
// and the signed deliveries are read back; promoting a costlier version is blocked with the
// projected numbers, and an ADMIN override goes through and is audited. Its own database,
// queue prefix and artifact folder. Usage: npx tsx scripts/walkthrough-budgets.ts
import { createServer } from "node:http";
import { pino } from "pino";
import { webhookSignatureProblem } from "@costgate/secrets";
import { createWorker } from "../src/create-worker.ts";
import { loadWorkerEnv } from "../src/env.ts";
import { TestApi, registerReference, until, version, waitReady, workerEnvFor } from "../test/flow.ts";

const api = await TestApi.start();
const worker = await createWorker(loadWorkerEnv(workerEnvFor(api, { LOG_LEVEL: "warn" })), pino({ level: "warn" }));
const SECRET = "walkthrough-webhook-secret-0123456789";
const received: { event: string; signature: string; verified: string; body: any }[] = [];
const receiver = createServer((req, res) => {
  let raw = "";
  req.on("data", (c) => (raw += c));
  req.on("end", () => {
    const problem = webhookSignatureProblem(SECRET, req.headers["costgate-signature"] as string, raw);
    received.push({
      event: String(req.headers["costgate-event"]),
      signature: String(req.headers["costgate-signature"]),
      verified: problem ?? "signature verifies",
      body: JSON.parse(raw),
    });
    res.writeHead(200).end("ok");
  });
});
await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`;
const as = (token: string) => ({
  ok: <T = any>(q: string, v?: Record<string, unknown>) => api.ok<T>(q, v, token),
  gql: (q: string, v?: Record<string, unknown>) => api.gql(q, v, token),
});
const show = (label: string, value: unknown) => console.log(`${label}: ${JSON.stringify(value, null, 2)}`);

try {
  // An ML team with a model in production: the cheaper, structured-pruned version of the reference MLP.
  const ref = await registerReference(api, "tabular-mlp", "CLASSIFICATION");
  const key = async (role: string) =>
    (
      await api.ok<any>(`mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ secret } }`, {
        i: { name: role.toLowerCase(), role, teamId: ref.teamId },
      })
    ).createApiKey.secret as string;
  const finance = as(await key("FINANCE"));
  const ml = as(await key("ML_ENGINEER"));
  const original = await waitReady(api, ref.versionId);
  const { createOptimizationPolicy: policy } = await ml.ok(
    `mutation($i:CreateOptimizationPolicyInput!){ createOptimizationPolicy(input:$i){ id } }`,
    {
      i: {
        teamId: ref.teamId,
        name: "prune",
        maxAccuracyDrop: 0.05,
        steps: [
          { kind: "PRUNE", params: { method: "structured", sparsity: 0.5 } },
          { kind: "FINE_TUNE", params: { epochs: 2, learningRate: 0.05, batchSize: 32, momentum: 0.9 } },
        ],
      },
    },
  );
  const { runOptimizationPolicy: job } = await ml.ok(
    `mutation($p:ID!,$v:ID!){ runOptimizationPolicy(policyId:$p, versionId:$v){ id } }`,
    { p: policy.id, v: ref.versionId },
  );
  const done = await until(
    "the job",
    async () => {
      const j = (
        await ml.ok(`query($id:ID!){ optimizationJob(id:$id){ status stage error bestVersion { id number } } }`, {
          id: job.id,
        })
      ).optimizationJob;
      return ["SUCCEEDED", "FAILED", "CANCELLED"].includes(j.status) ? j : undefined;
    },
    300_000,
    500,
  );
  if (!done.bestVersion)
    throw new Error(`the optimization job found no better version: ${done.status} ${done.stage} ${done.error ?? ""}`);
  const cheap = await version(api, done.bestVersion.id);
  await ml.ok(`mutation($i:PromoteModelVersionInput!){ promoteModelVersion(input:$i){ version { number stage } } }`, {
    i: { versionId: cheap.id, stage: "PRODUCTION" },
  });
  console.log(
    `production: version ${cheap.number} at $${cheap.cost.costPerMillionUsd}/1M; the original (version ${original.number}) costs $${original.cost.costPerMillionUsd}/1M`,
  );

  // FINANCE: the budget and the webhook.
  const { createBudget: budget } = await finance.ok(
    `mutation($i:CreateBudgetInput!){ createBudget(input:$i){ id name amountUsd period alertThresholds action } }`,
    {
      i: {
        name: "ML inference",
        teamId: ref.teamId,
        amountUsd: "100.00",
        period: "MONTHLY",
        alertThresholds: [0.5, 0.8, 1.0],
        action: "BLOCK_PROMOTION",
      },
    },
  );
  show("budget", budget);
  await finance.ok(`mutation($i:CreateWebhookInput!){ createWebhook(input:$i){ id url events } }`, {
    i: { teamId: ref.teamId, url: receiverUrl, secret: SECRET, events: ["alert.created"] },
  });

  // ML: usage, priced at the production version's $/1M, until spend crosses 50% and then 80%.
  const perMillion = Number(cheap.cost.costPerMillionUsd);
  const requestsFor = (usd: number) => Math.round((usd / perMillion) * 1e6);
  let n = 0;
  const record = async (usd: number) => {
    const total = requestsFor(usd);
    const chunks = Math.ceil(total / 2_000_000_000);
    const input = Array.from({ length: chunks }, (_, i) => ({
      versionId: cheap.id,
      requests: Math.floor(total / chunks) + (i === 0 ? total % chunks : 0),
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      idempotencyKey: `walkthrough-${n++}`,
    }));
    return (
      await ml.ok(`mutation($i:[UsageInput!]!){ recordUsage(input:$i){ accepted duplicates costUsd } }`, { i: input })
    ).recordUsage;
  };
  const status = async () =>
    (
      await finance.ok(
        `query($id:ID!){ budget(id:$id){ status { spentUsd forecastUsd utilization state exhaustsAt } } }`,
        { id: budget.id },
      )
    ).budget.status;
  const alerts = async () =>
    (
      await finance.ok(
        `query($b:ID){ alerts(budgetId:$b){ totalCount edges { node { kind threshold spentUsd forecastUsd periodStart } } } }`,
        { b: budget.id },
      )
    ).alerts;
  show("usage to 55%", await record(55));
  show("status", await status());
  await until(
    "the 50% alert",
    async () => (await alerts()).edges.some((e: any) => e.node.kind === "THRESHOLD_ACTUAL" && e.node.threshold === 0.5),
    60_000,
    500,
  );
  show("usage to 85%", await record(30));
  show("status", await status());
  await until(
    "the 80% alert",
    async () => (await alerts()).edges.some((e: any) => e.node.kind === "THRESHOLD_ACTUAL" && e.node.threshold === 0.8),
    60_000,
    500,
  );
  const all = await alerts();
  show("alerts", all);
  const actual = all.edges.filter((e: any) => e.node.kind === "THRESHOLD_ACTUAL");
  console.log(
    `THRESHOLD_ACTUAL alerts: ${actual.length} (thresholds ${actual.map((e: any) => e.node.threshold).join(", ")}); all alerts: ${all.totalCount}`,
  );
  await until("the webhook deliveries", async () => received.length >= all.totalCount, 60_000, 250);
  show(
    "webhook deliveries received",
    received.map((r) => ({
      event: r.event,
      verified: r.verified,
      kind: r.body?.data?.kind ?? r.body?.kind,
      threshold: r.body?.data?.threshold ?? r.body?.threshold,
    })),
  );

  // Promoting the costlier original is blocked, with the numbers; the ADMIN override goes through.
  show(
    "promotionPreview",
    (
      await ml.ok(
        `query($v:ID!){ promotionPreview(versionId:$v){ currentMonthlyUsd projectedMonthlyUsd deltaMonthlyUsd withinBudget budget { name } } }`,
        { v: original.id },
      )
    ).promotionPreview,
  );
  const blocked = await ml.gql(
    `mutation($i:PromoteModelVersionInput!){ promoteModelVersion(input:$i){ version { number stage } } }`,
    { i: { versionId: original.id, stage: "PRODUCTION" } },
  );
  show("ML promotes the original", blocked.errors);
  const forced = await api.ok(
    `mutation($i:PromoteModelVersionInput!){ promoteModelVersion(input:$i){ version { number stage } projection { projectedMonthlyUsd deltaMonthlyUsd withinBudget } } }`,
    {
      i: {
        versionId: original.id,
        stage: "PRODUCTION",
        overrideReason: "walkthrough: accuracy regression in the pruned version",
      },
    },
  );
  show("ADMIN override", forced);
  const audit = await api.db.auditEvent.findFirst({
    where: { action: "version.promote", entityId: original.id },
    orderBy: { createdAt: "desc" },
  });
  show("audit event", { actor: audit?.actor, action: audit?.action, after: audit?.after });
} catch (e) {
  console.error(`walkthrough failed: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  receiver.close();
  await worker.close();
  await api.stop();
}
