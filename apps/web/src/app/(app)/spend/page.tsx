import type { Metadata } from "next";
import Link from "next/link";
import { EXPLORER_GROUP_BYS, readExplorerFilters, spendExplorerPath, type ExplorerFilters } from "@costgate/core";
import { Card, EmptyState, PageHeader, Table } from "@/components/ui";
import { ApiError, query } from "@/lib/api";
import { formatMoneyPrecise, formatPercent, humanize } from "@/lib/format";
import { SpendExplorerQuery, TeamsQuery } from "@/lib/operations";
import { getMe } from "@/lib/session";
import { StackedSpendChart, type StackedSeries } from "./stacked-spend-chart";

export const metadata: Metadata = { title: "Spend explorer" };

const DAY = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);
/** Groups drawn in the chart; the rest are summed as "Other" (the table lists them all). */
const MAX_SERIES = 8;

/** The last 30 UTC days and today, unless the link says otherwise. */
function defaultRange() {
  const now = new Date();
  const tomorrow = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY;
  return { from: isoDay(tomorrow - 31 * DAY), to: isoDay(tomorrow) };
}

export default async function SpendExplorerPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const raw = await searchParams;
  const params = { get: (k: string) => (typeof raw[k] === "string" ? (raw[k] as string) : null) };
  const f = readExplorerFilters(params, defaultRange());
  const me = await getMe();
  const teams = me.role === "ADMIN" ? (await query(TeamsQuery)).teams : [];
  const teamId = f.teamId ?? (me.role === "ADMIN" ? null : (me.team?.id ?? null));

  let error: string | null = null;
  let points: {
    periodStart: string;
    group: string | null;
    groupLabel: string | null;
    costUsd: string;
    requests: number;
  }[] = [];
  let models: { id: string; name: string }[] = [];
  if (f.groupBy === "TAG" && !f.tagKey) {
    error = "Name the tag to group by (e.g. feature, customer, env).";
  } else {
    try {
      const r = await query(SpendExplorerQuery, {
        teamId,
        modelId: f.modelId,
        from: `${f.from}T00:00:00Z`,
        to: `${f.to}T00:00:00Z`,
        groupBy: f.groupBy,
        tagKey: f.groupBy === "TAG" ? f.tagKey : null,
        tag: f.tag,
      });
      points = r.spendBreakdown;
      models = r.models.edges.map((e) => e.node);
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== "BAD_USER_INPUT") throw e;
      error = e.message;
    }
  }

  // Totals per group, biggest first; the chart stacks the biggest, the rest as "Other".
  const totals = new Map<string, { key: string; label: string; cost: number; requests: number }>();
  for (const p of points) {
    const key = p.group ?? "";
    const t = totals.get(key) ?? {
      key,
      label: p.group === null ? noGroupLabel(f) : (p.groupLabel ?? p.group),
      cost: 0,
      requests: 0,
    };
    t.cost += Number(p.costUsd);
    t.requests += p.requests;
    totals.set(key, t);
  }
  const groups = [...totals.values()].sort((a, b) => b.cost - a.cost);
  const total = groups.reduce((s, g) => s + g.cost, 0);
  const shown = groups.slice(0, groups.length > MAX_SERIES ? MAX_SERIES - 1 : MAX_SERIES);
  const shownKeys = new Set(shown.map((g) => g.key));
  const series: StackedSeries[] = [
    ...shown.map((g) => ({ key: `g:${g.key}`, label: g.label })),
    ...(groups.length > shown.length ? [{ key: "other", label: `Other (${groups.length - shown.length})` }] : []),
  ];
  const byDay = new Map<string, Record<string, number>>();
  for (const p of points) {
    const day = p.periodStart.slice(0, 10);
    const row = byDay.get(day) ?? {};
    const key = shownKeys.has(p.group ?? "") ? `g:${p.group ?? ""}` : "other";
    row[key] = (row[key] ?? 0) + Number(p.costUsd);
    byDay.set(day, row);
  }
  const rows = [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, v]) => ({ day, ...v }));

  const link = (over: Partial<ExplorerFilters>) => spendExplorerPath({ ...f, teamId, ...over });
  return (
    <>
      <PageHeader
        title="Spend explorer"
        lead="Inference spend by day, broken down by team, model, version, hardware or a tag the calling services send (UTC days)."
      />
      <Card>
        <form method="get" action="/spend" className="inline-form" aria-label="Spend filters">
          <div className="field">
            <label htmlFor="spend-from">From</label>
            <input id="spend-from" name="from" type="date" defaultValue={f.from} required />
          </div>
          <div className="field">
            <label htmlFor="spend-to">To (exclusive)</label>
            <input id="spend-to" name="to" type="date" defaultValue={f.to} required />
          </div>
          <div className="field">
            <label htmlFor="spend-group">Group by</label>
            <select id="spend-group" name="groupBy" defaultValue={f.groupBy}>
              {EXPLORER_GROUP_BYS.map((g) => (
                <option key={g} value={g}>
                  {humanize(g)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="spend-tagkey">Tag to group by</label>
            <input id="spend-tagkey" name="tagKey" defaultValue={f.tagKey ?? ""} placeholder="feature" />
          </div>
          {me.role === "ADMIN" ? (
            <div className="field">
              <label htmlFor="spend-team">Team</label>
              <select id="spend-team" name="team" defaultValue={teamId ?? ""}>
                <option value="">All teams</option>
                {teams.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div className="field">
            <label htmlFor="spend-model">Model</label>
            <select id="spend-model" name="model" defaultValue={f.modelId ?? ""}>
              <option value="">All models</option>
              {models.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="spend-tag">Only usage tagged</label>
            <input
              id="spend-tag"
              name="tag"
              defaultValue={f.tag ? `${f.tag.key}=${f.tag.value}` : ""}
              placeholder="env=prod"
            />
          </div>
          <button type="submit" className="button primary">
            Show
          </button>
          <Link href="/spend" className="button">
            Reset
          </Link>
        </form>
      </Card>
      {error ? (
        <Card>
          <p role="alert" className="error">
            {error}
          </p>
        </Card>
      ) : groups.length === 0 ? (
        <Card>
          <EmptyState title="No spend in this range">
            <p>Usage recorded in these days appears here, by day.</p>
          </EmptyState>
        </Card>
      ) : (
        <>
          <Card
            title={`Daily spend by ${humanize(f.groupBy === "TAG" ? `tag ${f.tagKey}` : f.groupBy).toLowerCase()}`}
            id="spend-chart"
          >
            <StackedSpendChart rows={rows} series={series} from={f.from} to={f.to} />
          </Card>
          <Table
            cardOnMobile
            label="Spend by group"
            caption={
              <>
                {formatMoneyPrecise(total)} from {f.from} to {f.to} (exclusive)
              </>
            }
            columns={[
              { label: humanize(f.groupBy === "TAG" ? `tag ${f.tagKey}` : f.groupBy) },
              { label: "Spend", className: "num" },
              { label: "Share", className: "num" },
              { label: "Inferences", className: "num" },
              { label: "Drill down" },
            ]}
          >
            {groups.map((g) => (
              <tr key={g.key}>
                <td>{g.label}</td>
                <td className="num">{formatMoneyPrecise(g.cost)}</td>
                <td className="num">{formatPercent(total > 0 ? g.cost / total : 0)}</td>
                <td className="num">{g.requests.toLocaleString("en-US")}</td>
                <td>{drillDown(f, g.key, link)}</td>
              </tr>
            ))}
          </Table>
        </>
      )}
    </>
  );
}

/** What the null group is: usage without the tag (TAG), else nothing more specific. */
const noGroupLabel = (f: ExplorerFilters) => (f.groupBy === "TAG" ? `(no ${f.tagKey} tag)` : "(none)");

/** A link one level down: a team's models, a model's versions, a tag value's models. */
function drillDown(f: ExplorerFilters, key: string, link: (over: Partial<ExplorerFilters>) => string) {
  if (!key) return null;
  if (f.groupBy === "TEAM") return <Link href={link({ teamId: key, groupBy: "MODEL" })}>Models</Link>;
  if (f.groupBy === "MODEL") return <Link href={link({ modelId: key, groupBy: "VERSION" })}>Versions</Link>;
  if (f.groupBy === "TAG" && f.tagKey)
    return <Link href={link({ tag: { key: f.tagKey, value: key }, groupBy: "MODEL", tagKey: null })}>Models</Link>;
  return null;
}
