import { ANOMALY_BASELINE_DAYS, MoneyDecimal, assessDay, type DayTraffic } from "@costgate/core";
import { Prisma } from "@costgate/db";
import { enqueueDeliveries, recordEvent, writeAudit } from "@costgate/services";
import type { WorkerDeps } from "../deps.ts";

const DAY_MS = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);
/** Complete days the hourly job looks at: yesterday and the day before (in case a run was missed). */
const RECENT_DAYS = 2;

/**
 * Finds spend anomalies (core's assessDay) of every model with traffic, for the complete UTC days
 * in [from, to) (default: the last two complete days), from the daily rollups. Each anomaly is
 * stored once per model and day (unique), with an ANOMALY alert on the budget that covers the
 * model (its own untagged budget, else its team's; none: no alert), an `anomaly.detected` event
 * and the alert's `alert.created`, all in one transaction: running again adds nothing.
 * Returns the ids of the anomalies this run created.
 */
export async function detectAnomalies(
  deps: Pick<WorkerDeps, "db" | "producer" | "logger">,
  opts: { now?: Date; from?: Date; to?: Date; teamId?: string } = {},
): Promise<string[]> {
  const now = opts.now ?? new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const from = opts.from ? opts.from.getTime() : today - RECENT_DAYS * DAY_MS;
  const to = Math.min(today, opts.to ? opts.to.getTime() : today);
  if (from >= to) return [];
  const rows = await deps.db.$queryRaw<
    { modelId: string; teamId: string; day: string; requests: bigint; cost: string; topVersion: string }[]
  >`
    SELECT model_id AS "modelId", min(team_id) AS "teamId", to_char(day, 'YYYY-MM-DD') AS day, sum(requests)::bigint AS requests,
           sum(cost_usd)::text AS cost, (array_agg(version_id ORDER BY requests DESC, version_id))[1] AS "topVersion"
    FROM daily_spend
    WHERE day >= ${isoDay(from - ANOMALY_BASELINE_DAYS * DAY_MS)}::date AND day < ${isoDay(to)}::date
      ${opts.teamId ? Prisma.sql`AND team_id = ${opts.teamId}` : Prisma.empty}
    GROUP BY model_id, day`;
  const byModel = new Map<string, { teamId: string; traffic: (DayTraffic & { topVersion: string })[] }>();
  for (const r of rows) {
    const m = byModel.get(r.modelId) ?? { teamId: r.teamId, traffic: [] };
    m.traffic.push({ day: r.day, requests: r.requests, costUsd: new MoneyDecimal(r.cost), topVersion: r.topVersion });
    byModel.set(r.modelId, m);
  }
  const created: string[] = [];
  for (const [modelId, { teamId, traffic }] of byModel) {
    for (let t = from; t < to; t += DAY_MS) {
      const day = isoDay(t);
      const a = assessDay(traffic, day);
      if (!a?.anomaly) continue;
      const id = await storeAnomaly(deps, {
        modelId,
        teamId,
        versionId: traffic.find((x) => x.day === day)?.topVersion ?? null,
        assessment: a,
      });
      if (id) created.push(id);
    }
  }
  return created;
}

async function storeAnomaly(
  deps: Pick<WorkerDeps, "db" | "producer" | "logger">,
  input: {
    modelId: string;
    teamId: string;
    versionId: string | null;
    assessment: NonNullable<ReturnType<typeof assessDay>>;
  },
): Promise<string | null> {
  const { modelId, teamId, versionId, assessment: a } = input;
  const money = (m: { toFixed(n: number): string }) => m.toFixed(6);
  const result = await deps.db.$transaction(async (tx) => {
    const [anomaly] = await tx.spendAnomaly.createManyAndReturn({
      data: [
        {
          modelId,
          teamId,
          day: new Date(`${a.day}T00:00:00Z`),
          versionId,
          expectedUsd: money(a.expectedUsd),
          lowUsd: money(a.lowUsd),
          highUsd: money(a.highUsd),
          actualUsd: money(a.actualUsd),
          priceEffectUsd: money(a.priceEffectUsd),
          volumeEffectUsd: money(a.volumeEffectUsd),
          expectedRequests: a.expectedRequests,
          actualRequests: a.actualRequests,
        },
      ],
      skipDuplicates: true,
    });
    if (!anomaly) return null;
    const budget =
      (await tx.budget.findFirst({ where: { modelId, tagKey: null }, orderBy: { createdAt: "asc" } })) ??
      (await tx.budget.findFirst({ where: { teamId, modelId: null, tagKey: null }, orderBy: { createdAt: "asc" } }));
    const model = await tx.model.findUniqueOrThrow({ where: { id: modelId }, select: { name: true } });
    const payload = {
      anomalyId: anomaly.id,
      day: a.day,
      model: { id: modelId, name: model.name },
      versionId,
      expectedUsd: money(a.expectedUsd),
      lowUsd: money(a.lowUsd),
      highUsd: money(a.highUsd),
      actualUsd: money(a.actualUsd),
      priceEffectUsd: money(a.priceEffectUsd),
      volumeEffectUsd: money(a.volumeEffectUsd),
      expectedRequests: a.expectedRequests.toString(),
      actualRequests: a.actualRequests.toString(),
      alertId: null as string | null,
      budgetId: budget?.id ?? null,
    };
    const deliveries: string[] = [];
    if (budget) {
      const ratio = a.expectedUsd.isZero() ? 0 : a.actualUsd.div(a.expectedUsd).toNumber();
      const alert = await tx.alert.create({
        data: {
          budgetId: budget.id,
          kind: "ANOMALY",
          threshold: Number.isFinite(ratio) ? ratio : 0,
          spentUsd: money(a.actualUsd),
          forecastUsd: money(a.expectedUsd),
          periodStart: new Date(`${a.day}T00:00:00Z`),
          anomalyId: anomaly.id,
        },
      });
      payload.alertId = alert.id;
      await writeAudit(tx, {
        actor: "system",
        action: "alert.create",
        entityType: "Alert",
        entityId: alert.id,
        teamId,
        after: alert,
      });
      deliveries.push(
        ...(await recordEvent(
          tx,
          teamId,
          "alert.created",
          { alertId: alert.id, kind: "ANOMALY", budget: { id: budget.id, name: budget.name }, anomaly: payload },
          `alert.created:${alert.id}`,
        )),
      );
    }
    deliveries.push(...(await recordEvent(tx, teamId, "anomaly.detected", payload, `anomaly.detected:${anomaly.id}`)));
    return { id: anomaly.id, deliveries };
  });
  if (!result) return null;
  const queued = await enqueueDeliveries(deps.producer, result.deliveries);
  if (queued.failed)
    deps.logger.warn(
      { anomalyId: result.id, err: queued.error },
      "anomaly deliveries not queued; the sweep will queue them",
    );
  return result.id;
}
