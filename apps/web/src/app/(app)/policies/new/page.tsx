import type { Metadata } from "next";
import { PolicyForm } from "@/components/policy-form";
import { Card, Forbidden, PageHeader } from "@/components/ui";
import { query } from "@/lib/api";
import { PolicyFormOptionsQuery } from "@/lib/operations";
import { can } from "@/lib/permissions";
import { getMe } from "@/lib/session";

export const metadata: Metadata = { title: "New policy" };

export default async function NewPolicyPage({ searchParams }: { searchParams: Promise<{ modelId?: string }> }) {
  const { modelId } = await searchParams;
  const me = await getMe();
  if (!can(me.role, "managePolicies")) {
    return (
      <>
        <PageHeader title="New policy" breadcrumb={{ href: "/policies", label: "Policies" }} />
        <Forbidden what="create optimization policies" />
      </>
    );
  }
  const { teams, models, hardwareProfiles } = await query(PolicyFormOptionsQuery);
  return (
    <>
      <PageHeader
        title="New policy"
        breadcrumb={{ href: "/policies", label: "Policies" }}
        lead="Steps run in order, each on the previous step's output; every step makes a new version that is evaluated and measured. The best candidate is the cheapest one within the accuracy guardrail."
      />
      <Card>
        <PolicyForm
          mode="create"
          options={{
            teams,
            models: models.edges.map((e) => ({ id: e.node.id, name: e.node.name, teamId: e.node.team.id })),
            profiles: hardwareProfiles.map((h) => ({
              id: h.id,
              name: h.name,
              isDefault: h.isDefault,
              hourlyPriceUsd: h.hourlyPriceUsd,
            })),
          }}
          defaults={{
            name: "",
            teamId: me.team?.id ?? teams[0]?.id ?? "",
            modelId: modelId ?? "",
            steps: [],
            maxAccuracyDrop: "0.01",
            hardwareProfileId: "",
            trigger: "MANUAL",
            autoPromote: "",
          }}
        />
      </Card>
    </>
  );
}
