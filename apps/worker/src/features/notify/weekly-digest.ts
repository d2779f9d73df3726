import { MoneyDecimal, describeDigest, type DigestFacts } from "@costgate/core";
import { productionSavings } from "@costgate/services";
import type { WorkerDeps } from "../../deps.ts";
import { mailTeam, type MailOutcome } from "./mail-team.ts";

const DAY = 86_400_000;
/** Models a digest lists as top movers. */
const TOP_MOVERS = 5;

/** Monday 00:00 UTC of the week before `now`'s week: the last full week, which a digest covers. */
export function lastFullWeek(now: Date): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const sinceMonday = (new Date(today).getUTCDay() + 6) % 7;
  return new Date(today - (sinceMonday + 7) * DAY);
}

const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * What a team's digest says for the week starting `weekStart` (Monday 00:00 UTC): spend against
 * the week before (the daily rollups, to the cent-millionth), the models whose spend moved most,
 * what optimized production versions saved (services' productionSavings, the API's rule), and
 * the week's spend anomalies with their split into price and volume.
 */
async function digestFacts(db: WorkerDeps["db"], teamId: string, weekStart: Date): Promise<DigestFacts> {
  const start = weekStart.getTime();
  const team = await db.team.findUniqueOrThrow({ where: { id: teamId }, select: { name: true } });
  const rows = await db.dailySpend.groupBy({
    by: ["modelId"],
    where: { teamId, day: { gte: new Date(start - 7 * DAY), lt: new Date(start + 7 * DAY) } },
    _sum: { costUsd: true },
  });
  const week = await db.dailySpend.groupBy({
    by: ["modelId"],
    where: { teamId, day: { gte: new Date(start), lt: new Date(start + 7 * DAY) } },
    _sum: { costUsd: true },
  });
  const now = new Map(week.map((r) => [r.modelId, new MoneyDecimal((r._sum.costUsd ?? 0).toString())]));
  const both = new Map(rows.map((r) => [r.modelId, new MoneyDecimal((r._sum.costUsd ?? 0).toString())]));
  const models = await db.model.findMany({ where: { id: { in: [...both.keys()] } }, select: { id: true, name: true } });
  const nameOf = new Map(models.map((m) => [m.id, m.name]));
  let spend = new MoneyDecimal(0);
  let previous = new MoneyDecimal(0);
  const moves = [...both.entries()].map(([modelId, total]) => {
    const thisWeek = now.get(modelId) ?? new MoneyDecimal(0);
    const before = total.minus(thisWeek);
    spend = spend.plus(thisWeek);
    previous = previous.plus(before);
    return { modelId, thisWeek, before, delta: thisWeek.minus(before).abs() };
  });
  moves.sort((a, b) => b.delta.comparedTo(a.delta) || a.modelId.localeCompare(b.modelId));

  const profile = await db.hardwareProfile.findFirst({ where: { isDefault: true }, select: { id: true } });
  const savings = await productionSavings(db, {
    teamId,
    firstDay: isoDay(start),
    lastDay: isoDay(start + 6 * DAY),
    profileId: profile?.id ?? null,
  });
  const anomalies = await db.spendAnomaly.findMany({
    where: { teamId, day: { gte: new Date(start), lt: new Date(start + 7 * DAY) } },
    orderBy: [{ day: "desc" }, { modelId: "asc" }],
    select: {
      day: true,
      actualUsd: true,
      expectedUsd: true,
      priceEffectUsd: true,
      volumeEffectUsd: true,
      modelId: true,
    },
  });
  const anomalyModels = await db.model.findMany({
    where: { id: { in: anomalies.map((a) => a.modelId).filter((id) => !nameOf.has(id)) } },
    select: { id: true, name: true },
  });
  for (const m of anomalyModels) nameOf.set(m.id, m.name);
  return {
    teamName: team.name,
    weekStart,
    spendUsd: spend.toFixed(6),
    previousUsd: previous.toFixed(6),
    movers: moves
      .filter((m) => !m.delta.isZero())
      .slice(0, TOP_MOVERS)
      .map((m) => ({
        model: nameOf.get(m.modelId) ?? m.modelId,
        spendUsd: m.thisWeek.toFixed(6),
        previousUsd: m.before.toFixed(6),
      })),
    savings: { totalUsd: savings.total.toFixed(6), versions: savings.rows.filter((r) => r.saved !== null).length },
    anomalies: anomalies.map((a) => ({
      model: nameOf.get(a.modelId) ?? a.modelId,
      day: a.day,
      actualUsd: a.actualUsd.toString(),
      expectedUsd: a.expectedUsd.toString(),
      priceEffectUsd: a.priceEffectUsd.toString(),
      volumeEffectUsd: a.volumeEffectUsd.toString(),
    })),
  };
}

/** E-mails a team's digest of the week starting `weekStart` to its FINANCE and ADMIN users. */
export async function sendWeeklyDigest(
  deps: Pick<WorkerDeps, "db" | "logger" | "mail">,
  teamId: string,
  weekStart: Date,
): Promise<MailOutcome> {
  const text = describeDigest(await digestFacts(deps.db, teamId, weekStart));
  const link = deps.mail.dashboardUrl ? `${deps.mail.dashboardUrl.replace(/\/+$/, "")}/` : null;
  return mailTeam(deps, teamId, {
    subject: text.title,
    text: [...text.lines, ...(link ? ["", `Open Costgate: ${link}`] : [])].join("\n"),
  });
}

/**
 * The scheduled run: one digest job per team for the last full week (job id per team and week, so
 * a second run of the schedule, or two workers, send each digest once). Teams with no FINANCE or
 * ADMIN user are skipped when the job runs.
 */
export async function enqueueWeeklyDigests(deps: Pick<WorkerDeps, "db" | "producer">, now = new Date()) {
  const weekStart = lastFullWeek(now);
  const teams = await deps.db.team.findMany({ select: { id: true } });
  for (const t of teams) await deps.producer.weeklyDigest(t.id, weekStart);
  return { teams: teams.length, weekStart: weekStart.toISOString() };
}
