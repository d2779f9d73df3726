import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi } from "../../test/flow.ts";
import { budget, checkDeps, policy, readyModel, spend, tagSpend } from "../../test/budget-fixtures.ts";
import { checkBudgets } from "../features/check-budgets.ts";

/**
 * The budget check as the `budgets` queue runs it, called directly (many times at once, as
 * racing ingestions and the schedule would): alerts once per threshold, AUTO_OPTIMIZE once
 * per period. January 2025 with "now" on the 16th: $60 spent on the 10th is 6 days observed at
 * $10 a day (run rate), and the 16 days left make the forecast $220 of $100.
 */
let api: TestApi;
let deps: ReturnType<typeof checkDeps>;
const NOW = new Date("2025-01-16T00:00:00.000Z");

beforeAll(async () => {
  // Its webhooks point at 127.0.0.1: allowed only with WEBHOOK_ALLOW_PRIVATE_TARGETS.
  api = await TestApi.start({ WEBHOOK_ALLOW_PRIVATE_TARGETS: "true" });
  deps = checkDeps(api);
}, 60_000);

afterAll(async () => {
  await deps?.close();
  await api?.stop();
});

const webhook = (teamId: string, events: string[]) =>
  api.ok(`mutation($i:CreateWebhookInput!){ createWebhook(input:$i){ id } }`, {
    i: { teamId, url: "http://127.0.0.1:9/unused", secret: "a-signing-secret-0123", events },
  });

describe("alerts", () => {
  it("raises one alert per crossed threshold and one forecast alert (the highest it reaches), one delivery each, when 20 checks race", async () => {
    const teamId = await api.createTeam();
    const { version } = await readyModel(api.db, teamId);
    await spend(api.db, version, teamId, "2025-01-10", "60.000000");
    const b = await budget(api.db, teamId, { amountUsd: "100", alertThresholds: [0.5, 0.8, 1] });
    await webhook(teamId, ["alert.created"]);
    await webhook(teamId, ["job.finished"]);

    const results = await Promise.all(Array.from({ length: 20 }, () => checkBudgets(deps, { teamId, now: NOW })));

    const alerts = await api.db.alert.findMany({
      where: { budgetId: b.id },
      orderBy: [{ kind: "asc" }, { threshold: "asc" }],
    });
    expect(alerts.map((a) => [a.kind, a.threshold])).toEqual([
      ["THRESHOLD_ACTUAL", 0.5],
      ["THRESHOLD_FORECAST", 1],
    ]);
    expect(
      alerts.every(
        (a) =>
          a.periodStart.toISOString() === "2025-01-01T00:00:00.000Z" &&
          a.spentUsd.toFixed(6) === "60.000000" &&
          a.forecastUsd.toFixed(6) === "220.000000",
      ),
    ).toBe(true);
    // Each alert was created by exactly one of the racing checks.
    expect(results.flatMap((r) => r.alertsCreated).sort()).toEqual(alerts.map((a) => a.id).sort());

    const deliveries = await api.db.webhookDelivery.findMany({ where: { webhook: { teamId } } });
    expect(deliveries).toHaveLength(2);
    expect(deliveries.every((d) => d.event === "alert.created")).toBe(true);
    expect(deliveries.map((d) => d.eventKey).sort()).toEqual(alerts.map((a) => `alert.created:${a.id}`).sort());

    // Checking again later in the period adds only what newly crossed.
    await spend(api.db, version, teamId, "2025-01-20", "25.000000");
    const later = await checkBudgets(deps, { teamId, now: new Date("2025-01-21T00:00:00.000Z") });
    const added = await api.db.alert.findMany({ where: { id: { in: later.alertsCreated } } });
    expect(added.map((a) => [a.kind, a.threshold])).toEqual([["THRESHOLD_ACTUAL", 0.8]]);
    expect(await api.db.auditEvent.count({ where: { action: "alert.create", teamId } })).toBe(3);
  });

  it('raises no forecast alert on 20 hours of spend (the issue\'s "1,992.8%"): 3 days of data come first', async () => {
    const teamId = await api.createTeam();
    const { version } = await readyModel(api.db, teamId);
    // $0.40 of $1 in the first 20 hours of December: a straight line said $14.88 (1,488%) and fired forecast alerts.
    await spend(api.db, version, teamId, "2025-12-01", "0.400000");
    const b = await budget(api.db, teamId, { amountUsd: "1", alertThresholds: [0.5, 0.8, 1] });
    const first = await checkBudgets(deps, { teamId, now: new Date("2025-12-01T20:00:00.000Z") });
    expect(first.alertsCreated).toEqual([]);
    // Three days later, spend at the same pace is forecast, and one forecast alert (the highest threshold) fires.
    await spend(api.db, version, teamId, "2025-12-02", "0.400000");
    await spend(api.db, version, teamId, "2025-12-03", "0.100000");
    const later = await checkBudgets(deps, { teamId, now: new Date("2025-12-04T00:00:00.000Z") });
    const alerts = await api.db.alert.findMany({ where: { id: { in: later.alertsCreated } } });
    expect(alerts.map((a) => `${a.kind} ${a.threshold}`).sort()).toEqual([
      "THRESHOLD_ACTUAL 0.5",
      "THRESHOLD_ACTUAL 0.8",
      "THRESHOLD_FORECAST 1",
    ]);
    expect(alerts.every((a) => a.budgetId === b.id)).toBe(true);
  });

  it("raises nothing below the lowest threshold, and starts again in the next period", async () => {
    const teamId = await api.createTeam();
    const { version } = await readyModel(api.db, teamId);
    const b = await budget(api.db, teamId, { amountUsd: "1000", alertThresholds: [0.5] });
    await spend(api.db, version, teamId, "2025-01-10", "60.000000");
    expect((await checkBudgets(deps, { teamId, now: NOW })).alertsCreated).toEqual([]);
    await spend(api.db, version, teamId, "2025-02-02", "600.000000");
    await checkBudgets(deps, { teamId, now: new Date("2025-02-10T00:00:00.000Z") });
    const alerts = await api.db.alert.findMany({ where: { budgetId: b.id } });
    expect(alerts.map((a) => [a.kind, a.periodStart.toISOString()]).sort()).toEqual([
      ["THRESHOLD_ACTUAL", "2025-02-01T00:00:00.000Z"],
    ]);
  });
});

describe("AUTO_OPTIMIZE", () => {
  it("runs the policy once per period on the production versions that spent the most, however often the check runs", async () => {
    const teamId = await api.createTeam();
    const models = await Promise.all([
      readyModel(api.db, teamId),
      readyModel(api.db, teamId),
      readyModel(api.db, teamId),
      readyModel(api.db, teamId),
      readyModel(api.db, teamId, "STAGING"),
    ]);
    const costs = ["10.000000", "30.000000", "5.000000", "20.000000", "40.000000"];
    for (const [i, m] of models.entries()) await spend(api.db, m.version, teamId, "2025-01-05", costs[i]!);
    const p = await policy(api.db, teamId);
    const b = await budget(api.db, teamId, { amountUsd: "150", action: "AUTO_OPTIMIZE", policyId: p.id });

    const results = await Promise.all(Array.from({ length: 20 }, () => checkBudgets(deps, { teamId, now: NOW })));
    for (let i = 0; i < 3; i++) await checkBudgets(deps, { teamId, now: new Date(NOW.getTime() + i * 3_600_000) });

    expect(results.filter((r) => r.autoOptimized.includes(b.id))).toHaveLength(1);
    expect(await api.db.budgetTrigger.count({ where: { budgetId: b.id } })).toBe(1);
    const jobs = await api.db.optimizationJob.findMany({ where: { triggeredBy: `budget:${b.id}` } });
    // The top 3 PRODUCTION versions by spend: $30, $20, $10 (the $40 one is only STAGING).
    expect(jobs.map((j) => j.sourceVersionId).sort()).toEqual(
      [models[1]!, models[3]!, models[0]!].map((m) => m.version.id).sort(),
    );
    expect(
      jobs.every(
        (j) =>
          j.policyId === p.id &&
          j.status === "QUEUED" &&
          j.triggerKey?.startsWith(`budget:${b.id}:2025-01-01T00:00:00.000Z:`),
      ),
    ).toBe(true);

    const audit = await api.db.auditEvent.findMany({ where: { action: "budget.auto_optimize", entityId: b.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toMatchObject({
      periodStart: "2025-01-01T00:00:00.000Z",
      state: "AT_RISK",
      policyId: p.id,
      outcome: expect.stringContaining("started on 3 of 3"),
    });

    // The next period is another chance.
    await spend(api.db, models[0]!.version, teamId, "2025-02-03", "140.000000");
    await Promise.all(
      Array.from({ length: 5 }, () => checkBudgets(deps, { teamId, now: new Date("2025-02-10T00:00:00.000Z") })),
    );
    expect(await api.db.budgetTrigger.count({ where: { budgetId: b.id } })).toBe(2);
    expect(await api.db.optimizationJob.count({ where: { triggeredBy: `budget:${b.id}` } })).toBe(4);
  });

  it("ranks a tag budget's models by the spend carrying its tag, not by all their spend", async () => {
    const teamId = await api.createTeam();
    const [big, tagged] = await Promise.all([readyModel(api.db, teamId), readyModel(api.db, teamId)]);
    const acme = { key: "customer", value: "acme" };
    // The big model spends $100, of which $1 for acme; the other $30, all of it for acme.
    await spend(api.db, big.version, teamId, "2025-01-05", "100.000000");
    await tagSpend(api.db, big.version, teamId, "2025-01-05", acme, "1.000000");
    await tagSpend(api.db, big.version, teamId, "2025-01-05", { key: "customer", value: "globex" }, "99.000000");
    await spend(api.db, tagged.version, teamId, "2025-01-05", "30.000000");
    await tagSpend(api.db, tagged.version, teamId, "2025-01-05", acme, "30.000000");
    const p = await policy(api.db, teamId);
    const b = await budget(api.db, teamId, { amountUsd: "40", action: "AUTO_OPTIMIZE", policyId: p.id, tag: acme });
    await checkBudgets(deps, { teamId, now: NOW });
    const audit = await api.db.auditEvent.findFirstOrThrow({
      where: { action: "budget.auto_optimize", entityId: b.id },
    });
    expect((audit.after as { versions: { versionId: string; costUsd: string }[] }).versions).toEqual([
      expect.objectContaining({ versionId: tagged.version.id, costUsd: "30.000000" }),
      expect.objectContaining({ versionId: big.version.id, costUsd: "1.000000" }),
    ]);
  });

  it("records in the audit log that there was no production version to optimize", async () => {
    const teamId = await api.createTeam();
    const { version } = await readyModel(api.db, teamId, "STAGING");
    await spend(api.db, version, teamId, "2025-01-05", "90.000000");
    const p = await policy(api.db, teamId);
    const b = await budget(api.db, teamId, { amountUsd: "100", action: "AUTO_OPTIMIZE", policyId: p.id });
    await Promise.all([checkBudgets(deps, { teamId, now: NOW }), checkBudgets(deps, { teamId, now: NOW })]);
    expect(await api.db.optimizationJob.count({ where: { triggeredBy: `budget:${b.id}` } })).toBe(0);
    const audit = await api.db.auditEvent.findMany({ where: { action: "budget.auto_optimize", entityId: b.id } });
    expect(audit).toHaveLength(1);
    expect((audit[0]!.after as { outcome: string }).outcome).toMatch(/no PRODUCTION version/);
  });

  it("does nothing while the budget is OK", async () => {
    const teamId = await api.createTeam();
    const { version } = await readyModel(api.db, teamId);
    await spend(api.db, version, teamId, "2025-01-05", "1.000000");
    const p = await policy(api.db, teamId);
    const b = await budget(api.db, teamId, { amountUsd: "100", action: "AUTO_OPTIMIZE", policyId: p.id });
    await checkBudgets(deps, { teamId, now: NOW });
    expect(await api.db.budgetTrigger.count({ where: { budgetId: b.id } })).toBe(0);
  });
});
