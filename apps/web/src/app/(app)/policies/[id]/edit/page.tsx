import type { Metadata } from "next";
import { PolicyForm } from "@/components/policy-form";
import { Card, Forbidden, PageHeader } from "@/components/ui";
import { query } from "@/lib/api";
import { PolicyEditOptionsQuery } from "@/lib/operations";
import { can } from "@/lib/permissions";
import { getMe } from "@/lib/session";
import { draftsFromSteps } from "@/lib/steps";
import { loadPolicy } from "../load-policy";

export const metadata: Metadata = { title: "Edit policy" };

export default async function EditPolicyPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const [me, policy] = await Promise.all([getMe(), loadPolicy(id)]);
  const header = (
    <PageHeader title={`Edit ${policy.name}`} breadcrumb={{ href: `/policies/${id}`, label: policy.name }} />
  );
  if (!can(me.role, "managePolicies")) {
    return (
      <>
        {header}
        <Forbidden what="edit optimization policies" />
      </>
    );
  }
  const { hardwareProfiles } = await query(PolicyEditOptionsQuery);
  return (
    <>
      {header}
      <Card>
        <PolicyForm
          mode="edit"
          options={{
            teams: [policy.team],
            models: policy.model ? [{ ...policy.model, teamId: policy.team.id }] : [],
            profiles: hardwareProfiles,
          }}
          defaults={{
            id: policy.id,
            name: policy.name,
            teamId: policy.team.id,
            modelId: policy.model?.id ?? "",
            steps: draftsFromSteps(policy.steps),
            maxAccuracyDrop: String(policy.maxAccuracyDrop),
            hardwareProfileId: policy.hardwareProfile?.id ?? "",
            trigger: policy.trigger,
            autoPromote: policy.autoPromote ? "true" : "",
          }}
        />
      </Card>
    </>
  );
}
