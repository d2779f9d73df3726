"use client";
import { useActionState, useState } from "react";
import { CheckField, FormMessage, SelectField, SubmitButton, TextField } from "@/components/form";
import { createPolicyAction } from "@/lib/actions/policies";
import { formatMoney } from "@/lib/format";
import { initialState } from "@/lib/form-state";
import { newStep, STEP_DEFS, STEP_KINDS, type StepDraft, type StepKind } from "@/lib/steps";

interface Props {
  teams: { id: string; name: string }[];
  models: { id: string; name: string; teamId: string }[];
  profiles: { id: string; name: string; isDefault: boolean; hourlyPriceUsd: string }[];
  defaultTeamId: string;
  defaultModelId: string;
}

export function PolicyForm({ teams, models, profiles, defaultTeamId, defaultModelId }: Props) {
  const [state, action] = useActionState(createPolicyAction, initialState);
  const [steps, setSteps] = useState<StepDraft[]>([]);
  const [teamId, setTeamId] = useState(state.values?.teamId ?? defaultTeamId);
  const e = state.fieldErrors ?? {};
  const v = state.values ?? {};

  const update = (i: number, fn: (s: StepDraft) => StepDraft) => setSteps((all) => all.map((s, j) => (j === i ? fn(s) : s)));
  const move = (i: number, by: number) =>
    setSteps((all) => {
      const next = [...all];
      const [item] = next.splice(i, 1);
      next.splice(i + by, 0, item!);
      return next;
    });
  const defaultProfile = profiles.find((p) => p.isDefault);

  return (
    <form action={action} className="form" noValidate style={{ maxWidth: 760 }}>
      <FormMessage state={state} />
      <TextField id="policy-name" name="name" label="Name" defaultValue={v.name ?? ""} error={e.name} />
      <SelectField id="policy-team" name="teamId" label="Team" options={teams.map((t) => ({ value: t.id, label: t.name }))} value={teamId} onChange={(ev) => setTeamId(ev.target.value)} error={e.teamId} />
      <SelectField
        id="policy-model"
        name="modelId"
        label="Model (optional)"
        placeholder="Any model of the team"
        options={models.filter((m) => m.teamId === teamId).map((m) => ({ value: m.id, label: m.name }))}
        defaultValue={v.modelId ?? defaultModelId}
        hint="Leave empty to run the policy on any model of the team."
        error={e.modelId}
      />

      <fieldset aria-describedby={e.steps ? "steps-error" : undefined}>
        <legend>Steps</legend>
        {e.steps ? (
          <p className="error" id="steps-error" style={{ margin: 0 }}>
            {e.steps}
          </p>
        ) : null}
        {steps.length === 0 ? <p className="muted" style={{ margin: 0 }}>No steps yet: add the first one.</p> : null}
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
          <button type="button" className="button" onClick={() => setSteps((all) => [...all, newStep("PRUNE")])} disabled={steps.length >= 10}>
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
        defaultValue={v.maxAccuracyDrop ?? "0.01"}
        error={e.maxAccuracyDrop}
        hint="Largest allowed drop of the evaluation metric against the source version, absolute: 0.01 is one point of accuracy. For regression (mse) it is the relative increase."
      />
      <SelectField
        id="policy-hardware"
        name="hardwareProfileId"
        label="Hardware profile"
        placeholder={defaultProfile ? `Default (${defaultProfile.name})` : "Default profile"}
        options={profiles.map((p) => ({ value: p.id, label: `${p.name} — ${formatMoney(p.hourlyPriceUsd)}/hour` }))}
        defaultValue={v.hardwareProfileId ?? ""}
        hint="The hardware whose measured cost picks the best candidate."
      />
      <SelectField
        id="policy-trigger"
        name="trigger"
        label="Trigger"
        options={[
          { value: "MANUAL", label: "Manual: run it yourself" },
          { value: "NEW_VERSION", label: "New version: run on every uploaded version" },
          { value: "BUDGET_AT_RISK", label: "Budget at risk: run when a budget's forecast is at risk" },
        ]}
        defaultValue={v.trigger ?? "MANUAL"}
        error={e.trigger}
      />
      <CheckField id="policy-autopromote" name="autoPromote" label="Auto-promote the best candidate" defaultChecked={v.autoPromote === "true"} hint="Through the same cost gate as a person's promotion." />
      <div>
        <SubmitButton pendingText="Creating…">Create policy</SubmitButton>
      </div>
    </form>
  );
}

function StepEditor({
  index,
  count,
  step,
  errors,
  onKind,
  onValue,
  onMove,
  onRemove,
}: {
  index: number;
  count: number;
  step: StepDraft;
  errors: Record<string, string>;
  onKind: (kind: StepKind) => void;
  onValue: (name: string, value: string) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
}) {
  const def = STEP_DEFS[step.kind];
  const n = index + 1;
  const id = (name: string) => `step-${index}-${name}`;
  return (
    <fieldset>
      <legend>
        Step {n}: {def.label}
      </legend>
      <SelectField id={id("kind")} label="Kind" value={step.kind} onChange={(e) => onKind(e.target.value as StepKind)} options={STEP_KINDS.map((k) => ({ value: k, label: STEP_DEFS[k].label }))} hint={def.summary} />
      {def.params.map((p) => {
        const error = errors[`step.${index}.${p.name}`];
        const value = step.values[p.name] ?? "";
        if (p.type === "select") {
          return <SelectField key={p.name} id={id(p.name)} label={p.label} value={value} onChange={(e) => onValue(p.name, e.target.value)} options={p.options} hint={p.help} error={error} />;
        }
        if (p.type === "boolean") {
          return <CheckField key={p.name} id={id(p.name)} label={p.label} checked={value === "true"} onChange={(e) => onValue(p.name, e.target.checked ? "true" : "")} hint={p.help} />;
        }
        return (
          <TextField
            key={p.name}
            id={id(p.name)}
            label={p.optional ? `${p.label} (optional)` : p.label}
            type="number"
            inputMode="decimal"
            step={p.step}
            min={p.min}
            max={p.max}
            value={value}
            onChange={(e) => onValue(p.name, e.target.value)}
            hint={p.help}
            error={error}
          />
        );
      })}
      <div className="step-tools">
        <button type="button" className="button small" onClick={() => onMove(-1)} disabled={index === 0} aria-label={`Move step ${n} up`}>
          ↑ Up
        </button>
        <button type="button" className="button small" onClick={() => onMove(1)} disabled={index === count - 1} aria-label={`Move step ${n} down`}>
          ↓ Down
        </button>
        <button type="button" className="button small" onClick={onRemove} aria-label={`Remove step ${n}`}>
          Remove
        </button>
      </div>
    </fieldset>
  );
}
