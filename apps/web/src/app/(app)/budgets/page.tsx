import type { Metadata } from "next";
import Link from "next/link";
import { BudgetMeter } from "@/components/budget-meter";
import { Card, EmptyState, PageHeader, StatusBadge, Table } from "@/components/ui";
import { query } from "@/lib/api";
import { formatDate, formatMoney, formatPercent, humanize } from "@/lib/format";
import { BudgetsQuery } from "@/lib/operations";
import { can } from "@/lib/permissions";
import { getMe } from "@/lib/session";

export const metadata: Metadata = { title: "Budgets" };

export default async function BudgetsPage() {
  const [me, { budgets }] = await Promise.all([getMe(), query(BudgetsQuery)]);
  const canCreate = can(me.role, "manageBudgets");
  return (
    <>
      <PageHeader
        title="Budgets"
        lead="Inference spend this period against each budget, the forecast at the current run rate and the date it runs out."
        actions={
          canCreate ? (
            <Link href="/budgets/new" className="button primary">
              New budget
            </Link>
          ) : null
        }
      />
      {budgets.length === 0 ? (
        <Card>
          <EmptyState title="No budgets yet">
            <p>
              {canCreate
                ? "Create the first one: a monthly amount for a team or a single model."
                : "Finance sets budgets here."}
            </p>
          </EmptyState>
        </Card>
      ) : (
        <Table
          cardOnMobile
          label="Budgets"
          columns={[
            { label: "Budget" },
            { label: "Covers" },
            { label: "Amount", className: "num" },
            { label: "Utilisation", style: { minWidth: 220 } },
            { label: "Forecast", className: "num" },
            { label: "Runs out" },
            { label: "State" },
          ]}
        >
          {budgets.map((b) => (
            <tr key={b.id}>
              <td>
                <Link href={`/budgets/${b.id}`}>{b.name}</Link>
                <span className="recipe">
                  {humanize(b.period)} · {humanize(b.action)}
                </span>
              </td>
              <td>
                {b.team.name}
                <span className="recipe">{b.model ? b.model.name : "all models"}</span>
              </td>
              <td className="num">{formatMoney(b.amountUsd)}</td>
              <td>
                <BudgetMeter
                  spent={Number(b.status.spentUsd)}
                  forecast={Number(b.status.forecastUsd)}
                  amount={Number(b.amountUsd)}
                  thresholds={b.alertThresholds}
                  state={b.status.state}
                />
              </td>
              <td className="num">
                {formatMoney(b.status.forecastUsd)}
                <span className="recipe">{formatPercent(b.status.forecastUtilization)}</span>
              </td>
              <td className="nowrap">
                {b.status.exhaustsAt ? formatDate(b.status.exhaustsAt) : <span className="muted">not this period</span>}
              </td>
              <td>
                <StatusBadge value={b.status.state} />
              </td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}
