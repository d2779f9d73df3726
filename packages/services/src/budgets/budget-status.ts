import {
  MoneyDecimal,
  computeBudgetStatus,
  forecastHistoryStart,
  periodBounds,
  type BudgetStatusValue,
  type DailySpend,
  type Money,
} from "@costgate/core";
import type { Budget, Db, Prisma } from "@costgate/db";

type Reader = Db | Prisma.TransactionClient;
/** What a budget covers: a team, or one of its models; with a tag, only the usage carrying it. */
type BudgetScope = Pick<Budget, "teamId" | "modelId"> & Partial<Pick<Budget, "tagKey" | "tagValue">>;

/** What a budget covers: its model's spend, or its whole team's. */
const spendScope = (b: BudgetScope): { modelId: string } | { teamId: string } =>
  b.modelId ? { modelId: b.modelId } : { teamId: b.teamId };

/**
 * Spend of a budget's scope over [from, to) in whole UTC days, from the daily rollups (never the
 * raw usage rows): daily_spend for a team or model, daily_tag_spend for a budget scoped to a tag.
 * The one rule of what a budget has spent, for its status, its alerts and the cost gate.
 */
export async function spendBetween(db: Reader, scope: BudgetScope, from: Date, to: Date): Promise<Money> {
  return (await spendsBetween(db, [{ scope, from, to }]))[0]!;
}

/**
 * What each model of a budget's scope spent over [from, to) (UTC days; the budget's tag only,
 * when it has one), most first: whom a budget's AUTO_OPTIMIZE works on. `modelId` narrows it to one.
 */
export async function spendByModel(
  db: Reader,
  scope: BudgetScope,
  from: Date,
  to: Date,
  modelId?: string | null,
): Promise<{ modelId: string; spentUsd: Money }[]> {
  const where = {
    ...spendScope(scope),
    day: { gte: from, lt: to },
    ...(modelId ? { modelId } : {}),
  };
  const rows =
    scope.tagKey != null && scope.tagValue != null
      ? await db.dailyTagSpend.groupBy({
          by: ["modelId"],
          where: { ...where, tagKey: scope.tagKey, tagValue: scope.tagValue },
          _sum: { costUsd: true },
        })
      : await db.dailySpend.groupBy({ by: ["modelId"], where, _sum: { costUsd: true } });
  return rows
    .map((r) => ({ modelId: r.modelId, spentUsd: new MoneyDecimal((r._sum.costUsd ?? 0).toString()) }))
    .sort((a, b) => b.spentUsd.comparedTo(a.spentUsd) || a.modelId.localeCompare(b.modelId));
}

/**
 * spendBetween for many scopes and ranges in one statement (a page of budgets): each range is
 * the UTC days whose midnight lies in [from, to).
 */
async function spendsBetween(db: Reader, ranges: { scope: BudgetScope; from: Date; to: Date }[]): Promise<Money[]> {
  if (ranges.length === 0) return [];
  const teams = ranges.map((r) => r.scope.teamId);
  const models = ranges.map((r) => r.scope.modelId ?? null);
  const firsts = ranges.map((r) => firstDayFrom(r.from));
  const ends = ranges.map((r) => firstDayFrom(r.to));
  const tagKeys = ranges.map((r) => (r.scope.tagKey != null && r.scope.tagValue != null ? r.scope.tagKey : null));
  const tagValues = ranges.map((r) => (r.scope.tagKey != null ? (r.scope.tagValue ?? null) : null));
  // Per range, an index lookup: (team_id, day) for a team budget, (model_id, day) for a model budget,
  // (team_id | model_id, tag_key, day) of the tag rollups for a budget scoped to a tag.
  const rows = await db.$queryRaw<{ i: bigint; spent: string }[]>`
    SELECT k.i, coalesce(CASE WHEN k.tag_key IS NOT NULL THEN coalesce(gt.spent, gm.spent) WHEN k.model_id IS NULL THEN t.spent ELSE m.spent END, 0)::text AS spent
    FROM unnest(${teams}::text[], ${models}::text[], ${firsts}::date[], ${ends}::date[], ${tagKeys}::text[], ${tagValues}::text[])
      WITH ORDINALITY AS k(team_id, model_id, first_day, end_day, tag_key, tag_value, i)
    LEFT JOIN LATERAL (
      SELECT sum(d.cost_usd) AS spent FROM daily_spend d
      WHERE k.tag_key IS NULL AND k.model_id IS NULL AND d.team_id = k.team_id AND d.day >= k.first_day AND d.day < k.end_day
    ) t ON TRUE
    LEFT JOIN LATERAL (
      SELECT sum(d.cost_usd) AS spent FROM daily_spend d
      WHERE k.tag_key IS NULL AND k.model_id IS NOT NULL AND d.model_id = k.model_id AND d.day >= k.first_day AND d.day < k.end_day
    ) m ON TRUE
    LEFT JOIN LATERAL (
      SELECT sum(d.cost_usd) AS spent FROM daily_tag_spend d
      WHERE k.tag_key IS NOT NULL AND k.model_id IS NULL AND d.team_id = k.team_id AND d.tag_key = k.tag_key
        AND d.tag_value = k.tag_value AND d.day >= k.first_day AND d.day < k.end_day
    ) gt ON TRUE
    LEFT JOIN LATERAL (
      SELECT sum(d.cost_usd) AS spent FROM daily_tag_spend d
      WHERE k.tag_key IS NOT NULL AND k.model_id IS NOT NULL AND d.model_id = k.model_id AND d.tag_key = k.tag_key
        AND d.tag_value = k.tag_value AND d.day >= k.first_day AND d.day < k.end_day
    ) gm ON TRUE`;
  const spent = new Map(rows.map((r) => [Number(r.i), r.spent]));
  return ranges.map((_, i) => new MoneyDecimal(spent.get(i + 1) ?? 0));
}

/** The first UTC day whose midnight is at or after `t`, as 'YYYY-MM-DD'. */
function firstDayFrom(t: Date): string {
  const midnight = Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate());
  return new Date(midnight === t.getTime() ? midnight : midnight + 86_400_000).toISOString().slice(0, 10);
}

type StatusInput = BudgetScope & Pick<Budget, "amountUsd" | "period" | "alertThresholds">;

/** The budget's status now (or at `now`): its current calendar period, spent, forecast, state and exhaust date. */
export async function budgetStatus(db: Reader, budget: StatusInput, now = new Date()): Promise<BudgetStatusValue> {
  return (await budgetStatuses(db, [budget], now))[0]!;
}

/**
 * budgetStatus of many budgets: the daily spend of each scope from the forecast's history start
 * (or the period's start, if earlier) to the period's end, read in one statement from the
 * rollups; spent is the sum of the period's days, the forecast (core's forecastSpend) reads the days.
 */
export async function budgetStatuses(
  db: Reader,
  budgets: StatusInput[],
  now = new Date(),
): Promise<BudgetStatusValue[]> {
  if (!budgets.length) return [];
  const periods = budgets.map((b) => periodBounds(b.period, now));
  const history = forecastHistoryStart(now);
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const firsts = periods.map((p) => (day(p.start) < history ? day(p.start) : history));
  const ends = periods.map((p) => day(p.end));
  const tagKeys = budgets.map((b) => (b.tagKey != null && b.tagValue != null ? b.tagKey : null));
  const tagValues = budgets.map((b) => (b.tagKey != null ? (b.tagValue ?? null) : null));
  const rows = await db.$queryRaw<{ i: bigint; day: string; cost: string }[]>`
    SELECT k.i, to_char(s.day, 'YYYY-MM-DD') AS day, s.cost::text AS cost
    FROM unnest(${budgets.map((b) => b.teamId)}::text[], ${budgets.map((b) => b.modelId ?? null)}::text[], ${firsts}::date[], ${ends}::date[], ${tagKeys}::text[], ${tagValues}::text[])
      WITH ORDINALITY AS k(team_id, model_id, first_day, end_day, tag_key, tag_value, i)
    CROSS JOIN LATERAL (
      SELECT d.day, sum(d.cost_usd) AS cost FROM daily_spend d
      WHERE k.tag_key IS NULL AND k.model_id IS NULL AND d.team_id = k.team_id AND d.day >= k.first_day AND d.day < k.end_day GROUP BY d.day
      UNION ALL
      SELECT d.day, sum(d.cost_usd) FROM daily_spend d
      WHERE k.tag_key IS NULL AND k.model_id IS NOT NULL AND d.model_id = k.model_id AND d.day >= k.first_day AND d.day < k.end_day GROUP BY d.day
      UNION ALL
      SELECT d.day, sum(d.cost_usd) FROM daily_tag_spend d
      WHERE k.tag_key IS NOT NULL AND k.model_id IS NULL AND d.team_id = k.team_id AND d.tag_key = k.tag_key
        AND d.tag_value = k.tag_value AND d.day >= k.first_day AND d.day < k.end_day GROUP BY d.day
      UNION ALL
      SELECT d.day, sum(d.cost_usd) FROM daily_tag_spend d
      WHERE k.tag_key IS NOT NULL AND k.model_id IS NOT NULL AND d.model_id = k.model_id AND d.tag_key = k.tag_key
        AND d.tag_value = k.tag_value AND d.day >= k.first_day AND d.day < k.end_day GROUP BY d.day
    ) s`;
  const days = budgets.map((): DailySpend[] => []);
  for (const r of rows) days[Number(r.i) - 1]!.push({ day: r.day, costUsd: new MoneyDecimal(r.cost) });
  const today = day(now);
  return budgets.map((b, i) => {
    const start = day(periods[i]!.start);
    const spent = days[i]!.filter((d) => d.day >= start).reduce<Money>(
      (sum, d) => sum.add(d.costUsd),
      new MoneyDecimal(0),
    );
    return computeBudgetStatus({
      amountUsd: new MoneyDecimal(b.amountUsd.toString()),
      spentUsd: spent,
      thresholds: b.alertThresholds,
      period: b.period,
      now,
      daily: days[i]!.filter((d) => d.day <= today),
    });
  });
}
