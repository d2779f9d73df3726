import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { BudgetForm } from "@/components/budget-form";
import { Card, Forbidden, PageHeader } from "@/components/ui";
import { query } from "@/lib/api";
import { BudgetFormOptionsQuery, BudgetQuery } from "@/lib/operations";
import { can } from "@/lib/permissions";
import { getMe } from "@/lib/session";
import { thresholdsToInput } from "@/lib/thresholds";

export const metadata: Metadata = { title: "Edit budget" };

export default async function EditBudgetPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const [me, { budget }] = await Promise.all([getMe(), query(BudgetQuery, { id })]);
  if (!budget) notFound();
  if (!can(me.role, "manageBudgets")) {
    return (
      <>
        <PageHeader title={`Edit ${budget.name}`} breadcrumb={{ href: `/budgets/${id}`, label: budget.name }} />
        <Forbidden what="edit budgets" />
      </>
    );
  }
  const { teams, models, optimizationPolicies } = await query(BudgetFormOptionsQuery);
  return (
    <>
      <PageHeader title={`Edit ${budget.name}`} breadcrumb={{ href: `/budgets/${id}`, label: budget.name }} />
      <Card>
        <BudgetForm
          mode="edit"
          options={{
            teams,
            models: models.edges.map((e) => ({ id: e.node.id, name: e.node.name, teamId: e.node.team.id })),
            policies: optimizationPolicies.map((p) => ({
              id: p.id,
              name: p.name,
              teamId: p.team.id,
              modelId: p.model?.id ?? null,
            })),
          }}
          defaults={{
            id: budget.id,
            name: budget.name,
            teamId: budget.team.id,
            modelId: budget.model?.id ?? "",
            amountUsd: budget.amountUsd,
            period: budget.period,
            alertThresholds: thresholdsToInput(budget.alertThresholds),
            action: budget.action,
            policyId: budget.policy?.id ?? "",
          }}
        />
      </Card>
    </>
  );
}
