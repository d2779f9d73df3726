import type { Metadata } from "next";
import { BudgetForm } from "@/components/budget-form";
import { Card, Forbidden, PageHeader } from "@/components/ui";
import { query } from "@/lib/api";
import { BudgetFormOptionsQuery } from "@/lib/operations";
import { can } from "@/lib/permissions";
import { getMe } from "@/lib/session";

export const metadata: Metadata = { title: "New budget" };

export default async function NewBudgetPage() {
  const me = await getMe();
  if (!can(me.role, "manageBudgets")) {
    return (
      <>
        <PageHeader title="New budget" breadcrumb={{ href: "/budgets", label: "Budgets" }} />
        <Forbidden what="create budgets (finance and admins can)" />
      </>
    );
  }
  const { teams, models, optimizationPolicies } = await query(BudgetFormOptionsQuery);
  return (
    <>
      <PageHeader
        title="New budget"
        breadcrumb={{ href: "/budgets", label: "Budgets" }}
        lead="A budget caps a team's (or one model's) inference spend for each calendar period."
      />
      <Card>
        <BudgetForm
          mode="create"
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
            name: "",
            teamId: me.team?.id ?? (teams.length === 1 ? teams[0]!.id : ""),
            modelId: "",
            amountUsd: "",
            period: "MONTHLY",
            alertThresholds: "",
            action: "NOTIFY",
            policyId: "",
          }}
        />
      </Card>
    </>
  );
}
