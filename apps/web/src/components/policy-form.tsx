"use client";
// The optimization policy form with its step builder, for creating a policy and for editing
// one (team and model are fixed once the policy exists; enabled has its own button).
import { ActionForm } from "@/components/action-form";
import { useActionState, useState } from "react";
import { CheckField, FormMessage, SelectField, SubmitButton, TextField } from "@/components/form";
import { StepEditor } from "@/components/step-editor";
import { createPolicyAction, updatePolicyAction } from "@/lib/actions/policies";
import { formatMoney } from "@/lib/format";
import { initialState } from "@/lib/form-state";
import { newStep, type StepDraft } from "@/lib/steps";

interface Options {
  teams: { id: string; name: string }[];
  models: { id: string; name: string; teamId: string }[];
  profiles: { id: string; name: string; isDefault: boolean; hourlyPriceUsd: string }[];
}

export interface PolicyDefaults {
  id?: string;
  name: string;
  teamId: string;
  modelId: string;
  steps: StepDraft[];
  maxAccuracyDrop: string;
  hardwareProfileId: string;
  trigger: string;
  autoPromote: string;
}

const TRIGGERS = [
  { value: "MANUAL", label: "Manual: run it yourself" },
  { value: "NEW_VERSION", label: "New version: run on every uploaded version" },
  { value: "BUDGET_AT_RISK", label: "Budget at risk: run when a budget's forecast is at risk" },
];

export function PolicyForm({
  mode,
  options,
  defaults,
}: {
  mode: "create" | "edit";
  options: Options;
  defaults: PolicyDefaults;
}) {
  const editing = mode === "edit";
  const [state, action] = useActionState(editing ? updatePolicyAction : createPolicyAction, initialState);
  const { steps: savedSteps, ...fieldDefaults } = defaults;
  const [steps, setSteps] = useState<StepDraft[]>(savedSteps);
  // After a refused submit, the fields show what was sent (the steps live in state above).
  const v = { ...fieldDefaults, ...(state.values ?? {}) };
  const e = state.fieldErrors ?? {};
  const [teamId, setTeamId] = useState(v.teamId);

  const update = (i: number, fn: (s: StepDraft) => StepDraft) =>
    setSteps((all) => all.map((s, j) => (j === i ? fn(s) : s)));
  const move = (i: number, by: number) =>
    setSteps((all) => {
      const next = [...all];
      const [item] = next.splice(i, 1);
      next.splice(i + by, 0, item!);
      return next;
    });
  const defaultProfile = options.profiles.find((p) => p.isDefault);
  const teamName = options.teams.find((t) => t.id === teamId)?.name ?? "—";
  const modelName = options.models.find((m) => m.id === v.modelId)?.name;

  return (
    <ActionForm action={action} state={state} className="form" noValidate style={{ maxWidth: 760 }}>
      <FormMessage state={state} />
      {editing ? <input type="hidden" name="id" value={defaults.id} /> : null}
      <TextField id="policy-name" name="name" label="Name" defaultValue={v.name} error={e.name} />
      {editing ? (
        <p className="muted small" style={{ margin: 0 }}>
          Team {teamName}, {modelName ? `model ${modelName}` : "any model of the team"}: these cannot change; create
          another policy instead.
        </p>
      ) : (
        <>
          <SelectField
            id="policy-team"
            name="teamId"
            label="Team"
            options={options.teams.map((t) => ({ value: t.id, label: t.name }))}
            value={teamId}
            onChange={(ev) => setTeamId(ev.target.value)}
            error={e.teamId}
          />
          <SelectField
            id="policy-model"
            name="modelId"
            label="Model (optional)"
            placeholder="Any model of the team"
            options={options.models.filter((m) => m.teamId === teamId).map((m) => ({ value: m.id, label: m.name }))}
            defaultValue={v.modelId}
            hint="Leave empty to run the policy on any model of the team."
            error={e.modelId}
          />
        </>
      )}

      <fieldset aria-describedby={e.steps ? "steps-error" : undefined}>
        <legend>Steps</legend>
        {e.steps ? (
          <p className="error" id="steps-error" style={{ margin: 0 }}>
            {e.steps}
          </p>
        ) : null}
        {editing ? (
          <p className="hint" style={{ margin: 0 }}>
            Jobs already started keep the steps they started with.
          </p>
        ) : null}
        {steps.length === 0 ? (
          <p className="muted" style={{ margin: 0 }}>
            No steps yet: add the first one.
          </p>
        ) : null}
        <ol className="steps">
          {steps.map((step, i) => (
            <li key={i}>
              <StepEditor
                index={i}
                count={steps.length}
                step={step}
                errors={e}
                onKind={(kind) => update(i, () => newStep(kind))}
                onValue={(name, value) => update(i, (s) => ({ ...s, values: { ...s.values, [name]: value } }))}
                onMove={(by) => move(i, by)}
                onRemove={() => setSteps((all) => all.filter((_, j) => j !== i))}
              />
            </li>
          ))}
        </ol>
        <div>
          <button
            type="button"
            className="button"
            onClick={() => setSteps((all) => [...all, newStep("PRUNE")])}
            disabled={steps.length >= 10}
          >
            Add step
          </button>
        </div>
        <input type="hidden" name="steps" value={JSON.stringify(steps)} />
      </fieldset>

      <TextField
        id="policy-drop"
        name="maxAccuracyDrop"
        label="Max accuracy drop"
        type="number"
        inputMode="decimal"
        step="any"
        min={0}
        max={1}
        defaultValue={v.maxAccuracyDrop}
        error={e.maxAccuracyDrop}
        hint="Largest allowed drop of the evaluation metric against the source version, absolute: 0.01 is one point of accuracy. For regression (mse) it is the relative increase."
      />
      <SelectField
        id="policy-hardware"
        name="hardwareProfileId"
        label="Hardware profile"
        placeholder={defaultProfile ? `Default (${defaultProfile.name})` : "Default profile"}
        options={options.profiles.map((p) => ({
          value: p.id,
          label: `${p.name} — ${formatMoney(p.hourlyPriceUsd)}/hour`,
        }))}
        defaultValue={v.hardwareProfileId}
        hint="The hardware whose measured cost picks the best candidate."
        error={e.hardwareProfileId}
      />
      <SelectField
        id="policy-trigger"
        name="trigger"
        label="Trigger"
        options={TRIGGERS}
        defaultValue={v.trigger || "MANUAL"}
        error={e.trigger}
      />
      <CheckField
        id="policy-autopromote"
        name="autoPromote"
        label="Auto-promote the best candidate"
        defaultChecked={v.autoPromote === "true"}
        hint="Through the same cost gate as a person's promotion."
      />
      <div>
        <SubmitButton pendingText={editing ? "Saving…" : "Creating…"}>
          {editing ? "Save policy" : "Create policy"}
        </SubmitButton>
      </div>
    </ActionForm>
  );
}
