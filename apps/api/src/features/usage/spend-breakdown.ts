import { badInput, tagProblem, type Principal, type TagValue } from "@costgate/core";
import { Prisma, type Db } from "@costgate/db";
import { daysStartingIn, isoDay, periodStarts, spendScopeWhere, type Granularity } from "./spend-series.ts";

type SpendGroupBy = "TEAM" | "MODEL" | "VERSION" | "HARDWARE" | "TAG";

export interface BreakdownPoint {
  periodStart: Date;
  /** The group's key (team, model, version or hardware profile id, or tag value); null: usage without the tag. */
  group: string | null;
  /** A name for people: team name, model name, "model vN", profile name, or the tag value. */
  groupLabel: string | null;
  costUsd: string;
  requests: number;
}

export interface BreakdownArgs {
  teamId?: string | null;
  modelId?: string | null;
  from: Date;
  to: Date;
  granularity?: Granularity | null;
  groupBy: SpendGroupBy;
  tagKey?: string | null;
  /** Filters (superset of the contract): one version, one hardware profile, usage carrying one tag. */
  versionId?: string | null;
  hardwareProfileId?: string | null;
  tag?: TagValue | null;
}

/** Most points one breakdown answers (periods × groups). */
const MAX_BREAKDOWN_POINTS = 20_000;

const GROUP_COLUMN: Record<Exclude<SpendGroupBy, "TAG">, Prisma.Sql> = {
  TEAM: Prisma.sql`team_id`,
  MODEL: Prisma.sql`model_id`,
  VERSION: Prisma.sql`version_id`,
  HARDWARE: Prisma.sql`hardware_profile_id`,
};

/**
 * spend, broken down: one point per period and group, every period listed for every group that
 * spent in the range (0 where it did not). Read from the daily tag rollups only (daily_tag_spend,
 * an index range per scope and tag key), never the raw usage rows: by TEAM, MODEL, VERSION or
 * HARDWARE from the rows of all usage (tag_key ''), or of the usage carrying `tag` when given; by
 * TAG from the rows of `tagKey`, and the usage without that tag as group null (all − tagged).
 * Who may read what is spend's rule (spendScopeWhere).
 */
export async function spendBreakdown(db: Db, principal: Principal, args: BreakdownArgs): Promise<BreakdownPoint[]> {
  const granularity = args.granularity ?? "DAY";
  const { lastDay } = daysStartingIn(args.from, args.to);
  const byTag = args.groupBy === "TAG";
  if (byTag) {
    if (!args.tagKey)
      throw badInput("tagKey: name the tag to group by (e.g. feature) with groupBy TAG", { field: "tagKey" });
    const problem = tagProblem({ key: args.tagKey, value: "x" });
    if (problem) throw badInput(`tagKey: ${problem.message}`, { field: "tagKey" });
  } else if (args.tagKey) {
    throw badInput(
      `tagKey: only with groupBy TAG (got groupBy ${args.groupBy}); to keep only usage with a tag, use tag`,
      {
        field: "tagKey",
      },
    );
  }
  if (args.tag) {
    const problem = tagProblem(args.tag);
    if (problem) throw badInput(`tag.${problem.field}: ${problem.message}`, { field: `tag.${problem.field}` });
    if (byTag && args.tag.key !== args.tagKey)
      throw badInput(
        `tag: grouping by tag "${args.tagKey}" within usage tagged ${args.tag.key}=${args.tag.value} is not kept by the rollups; filter by a tag of the same key, or group by another dimension`,
        { field: "tag" },
      );
  }
  const scope = await spendScopeWhere(db, principal, args);
  const starts = periodStarts(args.from, args.to, granularity);

  const filters: Prisma.Sql[] = [
    scope,
    Prisma.sql`day >= ${isoDay(starts[0]!)}::date`,
    Prisma.sql`day <= ${lastDay}::date`,
  ];
  if (args.versionId) filters.push(Prisma.sql`version_id = ${args.versionId}`);
  if (args.hardwareProfileId) filters.push(Prisma.sql`hardware_profile_id = ${args.hardwareProfileId}`);
  const bucket = granularity === "DAY" ? Prisma.sql`day` : Prisma.sql`date_trunc('month', day)::date`;

  type Row = { start: string; grp: string | null; cost: string; requests: string };
  // Grouped by the period's date first, formatted after (to_char once per group, not per row).
  let rows: Row[];
  if (byTag) {
    // The tag's values, and the usage without the tag per period (all − tagged; none when filtered
    // to one value), both summed exactly by PostgreSQL.
    const key = args.tagKey!;
    const tagged = args.tag ? Prisma.sql`tag_value = ${args.tag.value}` : Prisma.sql`TRUE`;
    rows = await db.$queryRaw<Row[]>`
      WITH t AS (
        SELECT ${bucket} AS bucket, tag_key = '' AS is_all, tag_value, cost_usd, requests
        FROM daily_tag_spend
        WHERE ${Prisma.join(filters, " AND ")} AND (tag_key = '' OR (tag_key = ${key} AND ${tagged}))
      ), g AS (
        SELECT bucket, tag_value AS grp, sum(cost_usd) AS cost, sum(requests) AS requests
        FROM t WHERE NOT is_all GROUP BY 1, 2
        ${
          args.tag
            ? Prisma.empty
            : Prisma.sql`UNION ALL
        SELECT bucket, NULL, sum(CASE WHEN is_all THEN cost_usd ELSE -cost_usd END), sum(CASE WHEN is_all THEN requests ELSE -requests END)
        FROM t GROUP BY 1`
        }
      )
      SELECT to_char(bucket, 'YYYY-MM-DD') AS start, grp, cost::text AS cost, requests::text AS requests
      FROM g WHERE grp IS NOT NULL OR cost <> 0 OR requests <> 0`;
  } else {
    const tagFilter = args.tag
      ? Prisma.sql`tag_key = ${args.tag.key} AND tag_value = ${args.tag.value}`
      : Prisma.sql`tag_key = ''`;
    rows = await db.$queryRaw<Row[]>`
      SELECT to_char(bucket, 'YYYY-MM-DD') AS start, grp, cost::text AS cost, requests::text AS requests
      FROM (
        SELECT ${bucket} AS bucket, ${GROUP_COLUMN[args.groupBy as Exclude<SpendGroupBy, "TAG">]} AS grp,
               sum(cost_usd) AS cost, sum(requests) AS requests
        FROM daily_tag_spend
        WHERE ${Prisma.join(filters, " AND ")} AND ${tagFilter}
        GROUP BY 1, 2
      ) g`;
  }

  const groups = [...new Set(rows.map((r) => r.grp))].sort((a, b) =>
    a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0,
  );
  if (groups.length * starts.length > MAX_BREAKDOWN_POINTS)
    throw badInput(
      `the breakdown has ${groups.length} groups × ${starts.length} periods, more than ${MAX_BREAKDOWN_POINTS.toLocaleString("en-US")} points: ask for a shorter range, MONTH, or a filter`,
      { field: "groupBy" },
    );
  const labels = await groupLabels(db, args.groupBy, groups);
  // Rows by group (null: without the tag), then by period.
  const found = new Map<string | null, Map<string, Row>>();
  for (const r of rows) {
    const byPeriod = found.get(r.grp) ?? new Map<string, Row>();
    byPeriod.set(r.start, r);
    found.set(r.grp, byPeriod);
  }
  const periods = starts.map((periodStart) => ({ periodStart, day: isoDay(periodStart) }));
  const points: BreakdownPoint[] = [];
  for (const group of groups) {
    const byPeriod = found.get(group);
    const groupLabel = group === null ? null : (labels.get(group) ?? group);
    for (const { periodStart, day } of periods) {
      const row = byPeriod?.get(day);
      points.push({
        periodStart,
        group,
        groupLabel,
        costUsd: row?.cost ?? "0",
        requests: row ? Number(row.requests) : 0,
      });
    }
  }
  return points;
}

/** Names for the groups: teams', models', "model vN" for versions, hardware profiles'; tag values are their own. */
async function groupLabels(db: Db, groupBy: SpendGroupBy, groups: (string | null)[]): Promise<Map<string, string>> {
  const ids = groups.filter((g): g is string => g !== null);
  if (!ids.length || groupBy === "TAG") return new Map();
  if (groupBy === "TEAM")
    return new Map((await db.team.findMany({ where: { id: { in: ids } } })).map((t) => [t.id, t.name]));
  if (groupBy === "MODEL")
    return new Map((await db.model.findMany({ where: { id: { in: ids } } })).map((m) => [m.id, m.name]));
  if (groupBy === "HARDWARE")
    return new Map((await db.hardwareProfile.findMany({ where: { id: { in: ids } } })).map((h) => [h.id, h.name]));
  const versions = await db.modelVersion.findMany({
    where: { id: { in: ids } },
    select: { id: true, number: true, model: { select: { name: true } } },
  });
  return new Map(versions.map((v) => [v.id, `${v.model.name} v${v.number}`]));
}
