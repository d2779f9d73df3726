import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MoneyDecimal } from "@costgate/core";
import { TestApi } from "../../test/flow.ts";
import { budget, checkDeps, readyModel } from "../../test/budget-fixtures.ts";
import { detectAnomalies } from "../features/detect-anomalies.ts";

/**
 * Spend anomalies as the hourly housekeeping job finds them, called directly over a range of
 * days: 30 days of steady traffic (weekends lighter, ±3% day to day), then a costlier version is
 * promoted (3× the $ per inference) and, a week later, traffic spikes at an unchanged price.
 */
let api: TestApi;
let deps: ReturnType<typeof checkDeps>;
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

beforeAll(async () => {
  api = await TestApi.start({ WEBHOOK_ALLOW_PRIVATE_TARGETS: "true" });
  deps = checkDeps(api);
}, 60_000);

afterAll(async () => {
  await deps?.close();
  await api?.stop();
});

describe("spend anomalies", () => {
  it("finds exactly the promotion day (price effect) and the spike day (volume effect), once, with an ANOMALY alert and events", async () => {
    const teamId = await api.createTeam();
    const { model, version: v1 } = await readyModel(api.db, teamId);
    const v2 = await api.db.modelVersion.create({
      data: {
        modelId: model.id,
        number: 2,
        source: "UPLOAD",
        status: "READY",
        stage: "PRODUCTION",
        artifactId: v1.artifactId,
        createdBy: "system",
      },
    });
    const b = await budget(api.db, teamId, { amountUsd: "100000" });
    await api.ok(`mutation($i:CreateWebhookInput!){ createWebhook(input:$i){ id } }`, {
      i: {
        teamId,
        url: "http://127.0.0.1:9/unused",
        secret: "a-signing-secret-0123",
        events: ["alert.created", "anomaly.detected"],
      },
    });

    const start = Date.parse("2025-02-01T00:00:00Z"); // 30 steady days: 1 February – 2 March
    const promotion = "2025-03-03"; // v2 at $3/1M serves from here on
    const spike = "2025-03-10"; // 2.5× the traffic, same price
    const end = Date.parse("2025-03-16T00:00:00Z");
    for (let t = start, i = 0; t < end; t += DAY, i++) {
      const weekday = new Date(t).getUTCDay();
      let requests = (weekday === 0 || weekday === 6 ? 600_000 : 1_000_000) * (1 + 0.03 * Math.sin(i * 2.1));
      if (iso(t) === spike) requests *= 2.5;
      requests = Math.round(requests);
      const costlier = iso(t) >= promotion;
      const version = costlier ? v2 : v1;
      // requests × $/1M ÷ 1e6, as recordUsage fixes it.
      const costUsd = new MoneyDecimal(requests)
        .mul(costlier ? "3" : "1")
        .div(1e6)
        .toFixed(6);
      await api.db.dailySpend.create({
        data: {
          day: new Date(t),
          versionId: version.id,
          modelId: model.id,
          teamId,
          requests: BigInt(requests),
          costUsd,
        },
      });
    }

    const run = () => detectAnomalies(deps, { from: new Date(start), to: new Date(end), now: new Date(end) });
    const created = await run();
    const anomalies = await api.db.spendAnomaly.findMany({ where: { modelId: model.id }, orderBy: { day: "asc" } });
    expect(anomalies.map((a) => iso(a.day.getTime()))).toEqual([promotion, spike]);
    expect(created.sort()).toEqual(anomalies.map((a) => a.id).sort());

    const [price, volume] = anomalies;
    // The promotion: the day's $ per inference tripled at a normal volume.
    expect(price!.versionId).toBe(v2.id);
    expect(price!.priceEffectUsd.gt(price!.volumeEffectUsd.abs())).toBe(true);
    expect(price!.priceEffectUsd.gt(price!.actualUsd.mul(0.6))).toBe(true);
    // The spike: more traffic at the price of the day before.
    expect(volume!.volumeEffectUsd.gt(volume!.priceEffectUsd.abs())).toBe(true);
    expect(volume!.priceEffectUsd.abs().lt("0.000001")).toBe(true);
    // The two effects add up to the deviation, to the cent-millionth.
    for (const a of anomalies)
      expect(a.priceEffectUsd.add(a.volumeEffectUsd).toFixed(6)).toBe(a.actualUsd.sub(a.expectedUsd).toFixed(6));

    // One ANOMALY alert per model and day, on the team's budget; one of each event per anomaly.
    const alerts = await api.db.alert.findMany({ where: { budgetId: b.id, kind: "ANOMALY" } });
    expect(alerts.map((a) => a.anomalyId).sort()).toEqual(anomalies.map((a) => a.id).sort());
    const deliveries = await api.db.webhookDelivery.findMany({ where: { webhook: { teamId } } });
    expect(deliveries.map((d) => d.event).sort()).toEqual([
      "alert.created",
      "alert.created",
      "anomaly.detected",
      "anomaly.detected",
    ]);

    // Running again (the hourly job, or a retry) adds nothing.
    expect(await run()).toEqual([]);
    expect(await api.db.alert.count({ where: { budgetId: b.id, kind: "ANOMALY" } })).toBe(2);
  });
});
