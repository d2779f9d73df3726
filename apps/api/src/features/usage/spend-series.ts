import { assertVisible, badInput, teamScope, type Principal } from "@costgate/core";
import { Prisma, type Db } from "@costgate/db";

export type Granularity = "DAY" | "MONTH";

export interface SpendPoint {
  periodStart: Date;
  costUsd: string;
  requests: number;
}

/** Most points one spend query answers (about 2.7 years of days). */
const MAX_SPEND_POINTS = 1_000;

const DAY_MS = 86_400_000;
const startOfDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
const startOfMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
export const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const next = (d: Date, g: Granularity) =>
  g === "DAY" ? new Date(d.getTime() + DAY_MS) : new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));

/**
 * The spend query: one point per UTC day or calendar month whose start lies in [from, to)
 * — `from` is taken back to the start of its day or month, and every period is listed, with
 * zero when nothing was spent — for a model, or a team (a non-admin's own team when neither
 * is given; every team for an admin). Summed from the daily rollups only, never the raw rows.
 */
/**
 * The UTC days (as 'YYYY-MM-DD', inclusive) whose start lies in [from, to), `from` taken back to
 * the start of its day: the rows of daily_spend a range covers. Refuses an empty or reversed range.
 */
export function daysStartingIn(from: Date, to: Date): { firstDay: string; lastDay: string } {
  if (from.getTime() >= to.getTime())
    throw badInput(`from (${from.toISOString()}) must be before to (${to.toISOString()})`, { field: "from" });
  // Up to (inclusive) the day `to` falls in, unless `to` is a midnight.
  return { firstDay: isoDay(startOfDay(from)), lastDay: isoDay(startOfDay(new Date(to.getTime() - 1))) };
}

/**
 * Which rollup rows a spend query reads, as SQL on their model_id / team_id columns: a model's
 * (visible to the caller, and of teamId when both are given), else a team's (a non-admin's own
 * when neither is given; every team for an admin). The one permission rule of the spend queries.
 */
export async function spendScopeWhere(
  db: Db,
  principal: Principal,
  args: { teamId?: string | null; modelId?: string | null },
): Promise<Prisma.Sql> {
  if (args.modelId) {
    const model = await db.model.findUnique({ where: { id: args.modelId }, select: { teamId: true, name: true } });
    assertVisible(principal, model, (r) => r.teamId, "Model", args.modelId);
    if (args.teamId && args.teamId !== model.teamId)
      throw badInput(`modelId: model ${model.name} belongs to another team than teamId`, { field: "modelId" });
    return Prisma.sql`model_id = ${args.modelId}`;
  }
  const scope = teamScope(principal, args.teamId);
  return scope ? Prisma.sql`team_id = ${scope}` : Prisma.sql`TRUE`;
}

/** The starts of the days or months in [from, to) (from taken back to its period's start); at most 1,000. */
export function periodStarts(from: Date, to: Date, granularity: Granularity): Date[] {
  daysStartingIn(from, to);
  const starts: Date[] = [];
  for (let d = granularity === "DAY" ? startOfDay(from) : startOfMonth(from); d < to; d = next(d, granularity)) {
    if (starts.length === MAX_SPEND_POINTS) {
      throw badInput(
        `from..to spans more than ${MAX_SPEND_POINTS} ${granularity === "DAY" ? "days" : "months"}: ask for a shorter range${granularity === "DAY" ? " or MONTH" : ""}`,
        { field: "to" },
      );
    }
    starts.push(d);
  }
  return starts;
}

export async function spendSeries(
  db: Db,
  principal: Principal,
  args: { teamId?: string | null; modelId?: string | null; from: Date; to: Date; granularity?: Granularity | null },
): Promise<SpendPoint[]> {
  const granularity = args.granularity ?? "DAY";
  const { lastDay } = daysStartingIn(args.from, args.to);

  const where = await spendScopeWhere(db, principal, args);
  const starts = periodStarts(args.from, args.to, granularity);
  const bucket = granularity === "DAY" ? Prisma.sql`day` : Prisma.sql`date_trunc('month', day)::date`;
  // Dates cross as 'YYYY-MM-DD' text both ways: no session time zone can shift them.
  const rows = await db.$queryRaw<{ start: string; cost: string; requests: string }[]>`
    SELECT to_char(${bucket}, 'YYYY-MM-DD') AS start, sum(cost_usd)::text AS cost, sum(requests)::text AS requests
    FROM daily_spend
    WHERE ${where} AND day >= ${isoDay(starts[0]!)}::date AND day <= ${lastDay}::date
    GROUP BY 1`;
  const found = new Map(rows.map((r) => [Date.parse(`${r.start}T00:00:00Z`), r]));
  return starts.map((periodStart) => {
    const row = found.get(periodStart.getTime());
    return { periodStart, costUsd: row?.cost ?? "0", requests: row ? Number(row.requests) : 0 };
  });
}
