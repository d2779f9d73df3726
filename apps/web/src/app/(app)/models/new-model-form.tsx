"use client";
import { ActionForm } from "@/components/action-form";
import { useActionState } from "react";
import { FormMessage, SelectField, SubmitButton, TextArea, TextField } from "@/components/form";
import { createModelAction } from "@/lib/actions/models";
import { initialState } from "@/lib/form-state";

export function NewModelForm({
  teams,
  defaultTeamId,
}: {
  teams: { id: string; name: string }[];
  defaultTeamId: string;
}) {
  const [state, action] = useActionState(createModelAction, initialState);
  const v = state.values ?? {};
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} className="form" noValidate>
      <FormMessage state={state} />
      <TextField id="model-name" name="name" label="Model name" defaultValue={v.name ?? ""} error={e.name} />
      <SelectField
        id="model-team"
        name="teamId"
        label="Owning team"
        options={teams.map((t) => ({ value: t.id, label: t.name }))}
        placeholder="Choose a team"
        defaultValue={v.teamId ?? defaultTeamId}
        error={e.teamId}
      />
      <SelectField
        id="model-task"
        name="task"
        label="Task"
        options={[
          { value: "CLASSIFICATION", label: "Classification (accuracy)" },
          { value: "REGRESSION", label: "Regression (mean squared error)" },
        ]}
        defaultValue={v.task ?? "CLASSIFICATION"}
        error={e.task}
      />
      <TextArea
        id="model-classes"
        name="classNames"
        label="Class names (classifiers, optional)"
        hint="One per line, or separated by commas, in the order of the model's outputs: the first names output 0."
        rows={3}
        defaultValue={v.classNames ?? ""}
        error={e.classNames}
      />
      <TextField
        id="model-description"
        name="description"
        label="Description (optional)"
        defaultValue={v.description ?? ""}
      />
      <div>
        <SubmitButton pendingText="Creating…">Create model</SubmitButton>
      </div>
    </ActionForm>
  );
}
