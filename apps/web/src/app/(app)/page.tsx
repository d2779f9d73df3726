import type { Metadata } from "next";
import Link from "next/link";
import { BudgetMeter } from "@/components/budget-meter";
import { Card, EmptyState, PageHeader, StatusBadge, TableWrap } from "@/components/ui";
import { query, request, type ResultOf, type TypedDocument } from "@/lib/api";
import { formatCount, formatDate, formatDateTime, formatMoney, formatPercent, formatPerMillion, humanize } from "@/lib/format";
import { OverviewQuery } from "@/lib/operations";
import { can } from "@/lib/permissions";
import { getMe } from "@/lib/session";
import { AcknowledgeButton } from "./budgets/[id]/acknowledge-button";

export const metadata: Metadata = { title: "Overview" };

type ModelNode = ResultOf<typeof OverviewQuery>["models"]["edges"][number]["node"];
type SpendTotals = Map<string, { cost: number; requests: number }>;

/**
 * This month's spend of each model, in one request (one aliased `spend` per model): the API has
 * no per-model aggregate yet.
 */
async function modelSpend(models: ModelNode[], from: string, to: string): Promise<SpendTotals> {
  const totals: SpendTotals = new Map();
  if (models.length === 0) return totals;
  const fields = models.map((m, i) => `m${i}: spend(modelId: ${JSON.stringify(m.id)}, from: $from, to: $to, granularity: MONTH) { costUsd requests }`);
  const doc = { toString: () => `query ModelSpend($from: DateTime!, $to: DateTime!) { ${fields.join(" ")} }` } as TypedDocument<Record<string, { costUsd: string; requests: number }[]>, { from: string; to: string }>;
  try {
    const data = await request(doc, { from, to });
    models.forEach((m, i) => {
      const points = data[`m${i}`] ?? [];
      totals.set(m.id, { cost: points.reduce((s, p) => s + Number(p.costUsd), 0), requests: points.reduce((s, p) => s + p.requests, 0) });
    });
  } catch {
    // Shown as "no data" rather than failing the whole overview.
  }
  return totals;
}

/** The version an optimized production version was made from: its furthest known ancestor (the upload). */
function sourceOf(v: NonNullable<ModelNode["productionVersion"]>) {
  let node: { id: string; number: number; source: string; cost?: { costPerMillionUsd: string } | null; parent?: unknown } | null | undefined = v.parent;
  let found = node;
  while (node) {
    found = node;
    if (node.source === "UPLOAD") break;
    node = node.parent as typeof node;
  }
  return found ?? null;
}

export default async function OverviewPage() {
  const now = new Date();
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
  const [me, data] = await Promise.all([getMe(), query(OverviewQuery)]);
  const models = data.models.edges.map((e) => e.node);
  const spend = await modelSpend(models, from, to);
  const top = models
    .map((m) => ({ m, ...(spend.get(m.id) ?? { cost: 0, requests: 0 }) }))
    .filter((r) => r.cost > 0)
    .sort((a, b) => b.cost - a.cost)
    .slice(0, 8);
  const savings = models
    .filter((m) => m.productionVersion && m.productionVersion.source !== "UPLOAD" && m.productionVersion.cost)
    .map((m) => {
      const v = m.productionVersion!;
      const src = sourceOf(v);
      const prodCost = Number(v.cost!.costPerMillionUsd);
      const srcCost = src?.cost ? Number(src.cost.costPerMillionUsd) : null;
      const requests = spend.get(m.id)?.requests ?? 0;
      const saved = srcCost === null ? null : ((srcCost - prodCost) * requests) / 1e6;
      return { m, v, src, prodCost, srcCost, requests, saved };
    });
  const totalSaved = savings.reduce((s, r) => s + (r.saved ?? 0), 0);
  const alerts = data.alerts.edges.map((e) => e.node);
  const canAck = can(me.role, "acknowledgeAlerts");
  const monthName = new Intl.DateTimeFormat("en-US", { month: "long", year: "numeric", timeZone: "UTC" }).format(now);

  return (
    <>
      <PageHeader title="Overview" lead={`Inference spend this period against each budget, open alerts, the models that spend most and what optimization saved (${monthName}, UTC).`} />

      <Card
        title="Budgets this period"
        id="budgets"
        actions={
          <Link href="/budgets" className="small">
            All budgets
          </Link>
        }
      >
        {data.budgets.length === 0 ? (
          <EmptyState title="No budgets yet">
            <p>{can(me.role, "manageBudgets") ? <Link href="/budgets/new">Create a budget</Link> : "Finance sets budgets."} to see spend against it here.</p>
          </EmptyState>
        ) : (
          <ul className="budget-bars" style={{ listStyle: "none", margin: 0, padding: 0 }}>
            {data.budgets.map((b) => (
              <li key={b.id}>
                <div className="budget-bar-head">
                  <span>
                    <Link href={`/budgets/${b.id}`}>{b.name}</Link> <span className="small muted">{b.model ? b.model.name : b.team.name}</span>
                  </span>
                  <span className="row" style={{ gap: "0.5rem" }}>
                    <span className="small">{b.status.exhaustsAt ? `Runs out ${formatDate(b.status.exhaustsAt)}` : "Lasts the period"}</span>
                    <StatusBadge value={b.status.state} />
                  </span>
                </div>
                <BudgetMeter spent={Number(b.status.spentUsd)} forecast={Number(b.status.forecastUsd)} amount={Number(b.amountUsd)} thresholds={b.alertThresholds} state={b.status.state} />
              </li>
            ))}
          </ul>
        )}
      </Card>

      <div className="grid">
        <Card title={`Open alerts (${data.alerts.totalCount})`} id="alerts">
          {alerts.length === 0 ? (
            <p className="muted">No open alerts.</p>
          ) : (
            <ul style={{ margin: 0, paddingLeft: "1.1rem", display: "grid", gap: "0.6rem" }}>
              {alerts.map((a) => (
                <li key={a.id}>
                  <Link href={`/budgets/${a.budget.id}`}>{a.budget.name}</Link>: {a.kind === "THRESHOLD_ACTUAL" ? "spend" : "forecast"} reached {formatPercent(a.threshold)} (
                  {formatMoney(a.kind === "THRESHOLD_ACTUAL" ? a.spentUsd : a.forecastUsd)} of {formatMoney(a.budget.amountUsd)})
                  <span className="recipe">{formatDateTime(a.createdAt)}</span>
                  {canAck ? <AcknowledgeButton alertId={a.id} path="/" /> : null}
                </li>
              ))}
            </ul>
          )}
        </Card>

        <Card title="Top-spending models this month" id="top-models">
          {top.length === 0 ? (
            <p className="muted">No recorded inference spend this month.</p>
          ) : (
            <TableWrap label="Top-spending models">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col" className="num">
                      Spend
                    </th>
                    <th scope="col" className="num">
                      Inferences
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {top.map((r) => (
                    <tr key={r.m.id}>
                      <td>
                        <Link href={`/models/${r.m.id}`}>{r.m.name}</Link>
                      </td>
                      <td className="num">{formatMoney(r.cost)}</td>
                      <td className="num">{formatCount(r.requests)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
          {data.models.totalCount > models.length ? <p className="small muted">Among the {models.length} most recent of {data.models.totalCount} models.</p> : null}
        </Card>
      </div>

      <Card title="Savings from optimized versions in production" id="savings">
        {savings.length === 0 ? (
          <p className="muted">No optimized version is in production yet. Run a policy on a model and promote its best candidate.</p>
        ) : (
          <>
            <p>
              Saved this month: <strong>{formatMoney(totalSaved)}</strong> — each optimized production version&apos;s $/1M against its source&apos;s, times the model&apos;s inferences this month.
            </p>
            <TableWrap label="Savings">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col">In production</th>
                    <th scope="col" className="num">
                      $/1M now
                    </th>
                    <th scope="col" className="num">
                      Source $/1M
                    </th>
                    <th scope="col" className="num">
                      Inferences
                    </th>
                    <th scope="col" className="num">
                      Saved
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {savings.map((r) => (
                    <tr key={r.m.id}>
                      <td>
                        <Link href={`/models/${r.m.id}`}>{r.m.name}</Link>
                      </td>
                      <td>
                        v{r.v.number} ({humanize(r.v.source)})<span className="recipe">{r.src ? `from v${r.src.number}` : ""}</span>
                      </td>
                      <td className="num">{formatPerMillion(r.prodCost)}</td>
                      <td className="num">{formatPerMillion(r.srcCost)}</td>
                      <td className="num">{formatCount(r.requests)}</td>
                      <td className="num">{r.saved === null ? "—" : formatMoney(r.saved)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </>
        )}
      </Card>
    </>
  );
}
