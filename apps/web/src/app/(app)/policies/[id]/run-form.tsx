"use client";
import { ActionForm } from "@/components/action-form";
import { useActionState } from "react";
import { FormMessage, SelectField, SubmitButton } from "@/components/form";
import { runPolicyAction } from "@/lib/actions/policies";
import { initialState } from "@/lib/form-state";

export function RunPolicyForm({ policyId, versions }: { policyId: string; versions: { id: string; label: string }[] }) {
  const [state, action] = useActionState(runPolicyAction, initialState);
  return (
    <ActionForm action={action} state={state} className="inline-form" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="policyId" value={policyId} />
      <SelectField
        id="run-version"
        name="versionId"
        label="Version to optimize"
        options={versions.map((v) => ({ value: v.id, label: v.label }))}
        defaultValue={state.values?.versionId ?? versions[0]?.id}
        error={state.fieldErrors?.versionId}
      />
      <SubmitButton pendingText="Starting…">Run policy</SubmitButton>
    </ActionForm>
  );
}
