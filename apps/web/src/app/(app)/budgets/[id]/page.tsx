import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { BudgetMeter } from "@/components/budget-meter";
import { Card, EmptyState, PageHeader, StatusBadge, Table } from "@/components/ui";
import { query } from "@/lib/api";
import { formatDate, formatDateTime, formatMoney, formatPercent, humanize } from "@/lib/format";
import { BudgetDetailQuery, BudgetQuery } from "@/lib/operations";
import { can } from "@/lib/permissions";
import { getMe } from "@/lib/session";
import { AcknowledgeButton } from "./acknowledge-button";
import { ConfirmDelete } from "@/components/confirm-delete";
import { deleteBudgetAction } from "@/lib/actions/budgets";
import { SpendChart } from "./spend-chart";

export const metadata: Metadata = { title: "Budget" };

export default async function BudgetPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const [me, { budget }] = await Promise.all([getMe(), query(BudgetQuery, { id })]);
  if (!budget) notFound();
  const s = budget.status;
  const to = new Date(Math.min(Date.parse(s.periodEnd), Date.now() + 86_400_000)).toISOString();
  const detail = await query(BudgetDetailQuery, {
    id,
    teamId: budget.model ? null : budget.team.id,
    modelId: budget.model?.id ?? null,
    from: s.periodStart,
    to: to > s.periodStart ? to : s.periodEnd,
  });
  const alerts = detail.alerts.edges.map((e) => e.node);
  const canEdit = can(me.role, "manageBudgets");
  const canAck = can(me.role, "acknowledgeAlerts");
  const amount = Number(budget.amountUsd);

  return (
    <>
      <PageHeader
        title={budget.name}
        breadcrumb={{ href: "/budgets", label: "Budgets" }}
        lead={`${budget.team.name} · ${budget.model ? `model ${budget.model.name}` : "all models of the team"} · ${humanize(budget.period)}, ${formatDate(s.periodStart)} to ${formatDate(new Date(Date.parse(s.periodEnd) - 1).toISOString())} (UTC) · ${humanize(budget.action)}${budget.policy ? ` with “${budget.policy.name}”` : ""}`}
        actions={
          canEdit ? (
            <>
              <Link href={`/budgets/${id}/edit`} className="button">
                Edit
              </Link>
              <ConfirmDelete id={id} what="budget" action={deleteBudgetAction}>
                “{budget.name}” and its alerts will be deleted. Spend records stay. This cannot be undone.
              </ConfirmDelete>
            </>
          ) : null
        }
      />
      <Card title="This period" id="period">
        <dl className="stats" style={{ marginBottom: "1rem" }}>
          <div>
            <dt>Amount</dt>
            <dd>{formatMoney(budget.amountUsd)}</dd>
          </div>
          <div>
            <dt>Spent</dt>
            <dd>
              {formatMoney(s.spentUsd)} <span className="small muted">({formatPercent(s.utilization)})</span>
            </dd>
          </div>
          <div>
            <dt>Forecast</dt>
            <dd>
              {formatMoney(s.forecastUsd)} <span className="small muted">({formatPercent(s.forecastUtilization)})</span>
            </dd>
          </div>
          <div>
            <dt>Runs out</dt>
            <dd>{s.exhaustsAt ? formatDate(s.exhaustsAt) : "Not this period"}</dd>
          </div>
          <div>
            <dt>State</dt>
            <dd>
              <StatusBadge value={s.state} />
            </dd>
          </div>
        </dl>
        <BudgetMeter
          spent={Number(s.spentUsd)}
          forecast={Number(s.forecastUsd)}
          amount={amount}
          thresholds={budget.alertThresholds}
          state={s.state}
        />
      </Card>
      <Card title="Daily spend" id="daily">
        <SpendChart
          points={detail.spend.map((p) => ({ day: p.periodStart, cost: Number(p.costUsd) }))}
          amount={amount}
          thresholds={budget.alertThresholds}
          periodStart={s.periodStart}
          periodEnd={s.periodEnd}
          forecast={Number(s.forecastUsd)}
        />
      </Card>
      <Card title="Alerts" id="alerts">
        {alerts.length === 0 ? (
          <EmptyState title="No alerts this budget">
            <p>Each threshold raises one alert per period for actual spend and one for the forecast.</p>
          </EmptyState>
        ) : (
          <Table
            cardOnMobile
            label="Alerts"
            columns={[
              { label: "Raised" },
              { label: "Kind" },
              { label: "Threshold", className: "num" },
              { label: "Spent then", className: "num" },
              { label: "Forecast then", className: "num" },
              { label: "Acknowledged" },
              { label: "Spend" },
            ]}
          >
            {alerts.map((a) => (
              <tr key={a.id}>
                <td className="nowrap">{formatDateTime(a.createdAt)}</td>
                <td>
                  {a.overrideRequest ? (
                    <>
                      Override request for{" "}
                      <Link href={`/models/${a.overrideRequest.version.model.id}`}>
                        v{a.overrideRequest.version.number}
                      </Link>{" "}
                      by {a.overrideRequest.requestedBy}: “{a.overrideRequest.reason}”
                    </>
                  ) : a.kind === "THRESHOLD_ACTUAL" ? (
                    "Actual spend"
                  ) : a.kind === "ANOMALY" ? (
                    "Anomaly"
                  ) : (
                    "Forecast"
                  )}
                </td>
                <td className="num">{formatPercent(a.threshold)}</td>
                <td className="num">{formatMoney(a.spentUsd)}</td>
                <td className="num">{formatMoney(a.forecastUsd)}</td>
                <td>
                  {a.acknowledgedAt ? (
                    <>
                      {formatDateTime(a.acknowledgedAt)}
                      <span className="recipe">
                        by {a.acknowledgedBy ? a.acknowledgedBy.name : "a user since deleted"}
                      </span>
                    </>
                  ) : canAck ? (
                    <AcknowledgeButton alertId={a.id} path={`/budgets/${id}`} />
                  ) : (
                    <span className="muted">Open</span>
                  )}
                </td>
                <td>
                  <Link href={a.explore.path}>Explore</Link>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
    </>
  );
}
