import type { Metadata } from "next";
import Link from "next/link";
import { BudgetMeter } from "@/components/budget-meter";
import { CostFigure } from "@/components/cost";
import { Badge, Card, EmptyState, PageHeader, StatusBadge, Table } from "@/components/ui";
import { query, type ResultOf } from "@/lib/api";
import {
  formatCount,
  formatDate,
  formatDateTime,
  formatMetric,
  formatMoney,
  formatMoneyPrecise,
  formatPercent,
  formatPerMillion,
  humanize,
} from "@/lib/format";

type SavingsRow = ResultOf<typeof OverviewQuery>["optimizationSavings"]["versions"][number];
import { OverviewQuery } from "@/lib/operations";
import { can } from "@/lib/permissions";
import { getMe } from "@/lib/session";
import { AcknowledgeButton } from "./budgets/[id]/acknowledge-button";
import { ANOMALY_DAYS, AnomaliesCard } from "./anomalies-card";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const now = new Date();
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString();
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
  const anomaliesFrom = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - ANOMALY_DAYS * 86_400_000,
  ).toISOString();
  const [me, data] = await Promise.all([getMe(), query(OverviewQuery, { from, to, anomaliesFrom })]);
  const top = data.topSpenders;
  const savings = data.optimizationSavings;
  const alerts = data.alerts.edges.map((e) => e.node);
  const canAck = can(me.role, "acknowledgeAlerts");
  const noSaving = savings.versions.filter((r) => r.measurable === false).length;
  const hardware = savings.versions
    .map((r) => r.version.cost?.hardwareProfile ?? r.source.cost?.hardwareProfile)
    .find(Boolean);
  const monthName = new Intl.DateTimeFormat("en-US", { month: "long", year: "numeric", timeZone: "UTC" }).format(now);

  return (
    <>
      <PageHeader
        title="Overview"
        lead={`Inference spend this period against each budget, open alerts, the models that spend most and what optimization saved (${monthName}, UTC).`}
      />

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
            <p>
              {can(me.role, "manageBudgets") ? (
                <Link href="/budgets/new">Create a budget</Link>
              ) : (
                "Finance sets budgets."
              )}{" "}
              to see spend against it here.
            </p>
          </EmptyState>
        ) : (
          <ul className="budget-bars" style={{ listStyle: "none", margin: 0, padding: 0 }}>
            {data.budgets.map((b) => (
              <li key={b.id}>
                <div className="budget-bar-head">
                  <span>
                    <Link href={`/budgets/${b.id}`}>{b.name}</Link>{" "}
                    <span className="small muted">{b.model ? b.model.name : b.team.name}</span>
                  </span>
                  <span className="row" style={{ gap: "0.5rem" }}>
                    <span className="small">
                      {b.status.exhaustsAt ? `Runs out ${formatDate(b.status.exhaustsAt)}` : "Lasts the period"}
                    </span>
                    <StatusBadge value={b.status.state} />
                  </span>
                </div>
                <BudgetMeter
                  spent={Number(b.status.spentUsd)}
                  forecast={Number(b.status.forecastUsd)}
                  amount={Number(b.amountUsd)}
                  thresholds={b.alertThresholds}
                  state={b.status.state}
                />
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
                  <Link href={`/budgets/${a.budget.id}`}>{a.budget.name}</Link>:{" "}
                  {a.overrideRequest ? (
                    <>
                      {a.overrideRequest.requestedBy} asks to override the cost gate for{" "}
                      <Link href={`/models/${a.overrideRequest.version.model.id}`}>
                        v{a.overrideRequest.version.number}
                      </Link>{" "}
                      (spend would reach {formatMoney(a.forecastUsd)} of {formatMoney(a.budget.amountUsd)}): “
                      {a.overrideRequest.reason}”
                    </>
                  ) : a.kind === "ANOMALY" ? (
                    <>
                      a day&apos;s spend left its expected range ({formatMoney(a.spentUsd)} against{" "}
                      {formatMoney(a.forecastUsd)} expected)
                    </>
                  ) : (
                    <>
                      {a.kind === "THRESHOLD_ACTUAL" ? "spend" : "forecast"} reached {formatPercent(a.threshold)} (
                      {formatMoney(a.kind === "THRESHOLD_ACTUAL" ? a.spentUsd : a.forecastUsd)} of{" "}
                      {formatMoney(a.budget.amountUsd)})
                    </>
                  )}{" "}
                  <Link href={a.explore.path}>Explore spend</Link>
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
            <Table
              cardOnMobile
              label="Top-spending models"
              columns={[
                { label: "Model" },
                { label: "Spend", className: "num" },
                { label: "Inferences", className: "num" },
              ]}
            >
              {top.map((r) => (
                <tr key={r.model.id}>
                  <td>
                    <Link href={`/models/${r.model.id}`}>{r.model.name}</Link>{" "}
                    <span className="small muted">{r.model.team.name}</span>
                  </td>
                  <td className="num">{formatMoneyPrecise(r.costUsd)}</td>
                  <td className="num">{formatCount(r.requests)}</td>
                </tr>
              ))}
            </Table>
          )}
        </Card>
      </div>

      <AnomaliesCard anomalies={data.spendAnomalies} />

      <Card title="Savings from optimized versions in production" id="savings">
        {savings.versions.length === 0 ? (
          <p className="muted">
            No optimized version is in production yet. Run a policy on a model and promote its best candidate.
          </p>
        ) : (
          <>
            <p>
              Saved this month: <strong>{formatMoneyPrecise(savings.totalUsd)}</strong> — each optimized production
              version&apos;s $/1M against the upload it came from (on the default hardware
              {hardware ? `, ${hardware.name}` : ""}), times the inferences it served this month. Only savings the
              paired measurements show beyond their 95% interval count
              {noSaving
                ? `: ${noSaving} version${noSaving === 1 ? "" : "s"} below save${noSaving === 1 ? "s" : ""} nothing measurable and ${noSaving === 1 ? "is" : "are"} left out of the total`
                : ""}
              .
            </p>
            <Table
              cardOnMobile
              label="Savings"
              columns={[
                { label: "Model" },
                { label: "In production" },
                { label: "$/1M now", className: "num" },
                { label: "Source $/1M", className: "num" },
                { label: "Inferences", className: "num" },
                { label: "Saved", className: "num" },
              ]}
            >
              {savings.versions.map((r) => (
                <tr key={r.version.id}>
                  <td>
                    <Link href={`/models/${r.model.id}`}>{r.model.name}</Link>
                  </td>
                  <td>
                    v{r.version.number} ({humanize(r.version.source)})
                    <span className="recipe">
                      from v{r.source.number}
                      {r.version.evaluation && r.source.evaluation
                        ? ` · ${formatMetric(r.version.evaluation.metric, r.version.evaluation.value)} vs ${formatMetric(r.source.evaluation.metric, r.source.evaluation.value)}`
                        : ""}
                    </span>
                  </td>
                  <td className="num">
                    {r.version.cost ? (
                      <CostFigure cost={r.version.cost} caption="none" />
                    ) : (
                      formatPerMillion(r.costPerMillionUsd)
                    )}
                  </td>
                  <td className="num">
                    {r.source.cost ? (
                      <CostFigure cost={r.source.cost} caption="none" />
                    ) : (
                      formatPerMillion(r.sourceCostPerMillionUsd)
                    )}
                  </td>
                  <td className="num">{formatCount(r.requests)}</td>
                  <td className="num">
                    <Saved r={r} />
                  </td>
                </tr>
              ))}
            </Table>
            {savings.count > savings.versions.length ? (
              <p className="small muted">
                The {savings.versions.length} biggest of {savings.count} optimized versions in production; the total
                counts them all.
              </p>
            ) : null}
          </>
        )}
      </Card>
    </>
  );
}

/** What one version saved: an amount only when the paired measurements show it is real. */
function Saved({ r }: { r: SavingsRow }) {
  if (r.measurable === false)
    return (
      <>
        <Badge>No measurable saving</Badge>
        <span className="recipe">within the measurements&apos; 95% interval; not in the total</span>
      </>
    );
  if (r.savedUsd === null || r.savedUsd === undefined)
    return (
      <>
        <span className="muted">not measured</span>
        <span className="recipe">
          no $/1M on the default hardware for {r.costPerMillionUsd === null ? "this version" : "its upload"}
        </span>
      </>
    );
  if (r.measurable === null || r.measurable === undefined)
    return (
      <>
        {formatMoneyPrecise(r.savedUsd)}
        <span className="recipe">measured before paired measurements: not checked against noise</span>
      </>
    );
  return <>{formatMoneyPrecise(r.savedUsd)}</>;
}
