"use client";
import { ActionForm } from "@/components/action-form";
import { useActionState, useState } from "react";
import { FormMessage, SelectField, SubmitButton, TextField } from "@/components/form";
import { createBudgetAction, updateBudgetAction } from "@/lib/actions/budgets";
import { initialState } from "@/lib/form-state";

interface Options {
  teams: { id: string; name: string }[];
  models: { id: string; name: string; teamId: string }[];
  policies: { id: string; name: string; teamId: string; modelId: string | null }[];
}

export interface BudgetDefaults {
  id?: string;
  name: string;
  teamId: string;
  modelId: string;
  amountUsd: string;
  period: string;
  alertThresholds: string;
  action: string;
  policyId: string;
}

const ACTIONS = [
  { value: "NOTIFY", label: "Notify: alerts only" },
  { value: "BLOCK_PROMOTION", label: "Block promotion: the cost gate refuses promotions that would overspend" },
  { value: "AUTO_OPTIMIZE", label: "Auto-optimize: run a policy on the costliest versions when at risk" },
];

export function BudgetForm({
  mode,
  options,
  defaults,
}: {
  mode: "create" | "edit";
  options: Options;
  defaults: BudgetDefaults;
}) {
  const [state, action] = useActionState(mode === "create" ? createBudgetAction : updateBudgetAction, initialState);
  const v = { ...defaults, ...(state.values ?? {}) };
  const e = state.fieldErrors ?? {};
  const [teamId, setTeamId] = useState(v.teamId);
  const [budgetAction, setBudgetAction] = useState(v.action || "NOTIFY");
  const [modelId, setModelId] = useState(v.modelId);
  const editing = mode === "edit";
  const teamName = options.teams.find((t) => t.id === teamId)?.name ?? "";
  const policies = options.policies.filter(
    (p) => p.teamId === teamId && (!p.modelId || !modelId || p.modelId === modelId),
  );

  return (
    <ActionForm action={action} state={state} className="form" noValidate>
      <FormMessage state={state} />
      {editing ? <input type="hidden" name="id" value={defaults.id} /> : null}
      <TextField id="budget-name" name="name" label="Name" defaultValue={v.name} error={e.name} />
      {editing ? (
        <p className="muted small" style={{ margin: 0 }}>
          Team {teamName || "—"},{" "}
          {modelId ? `model ${options.models.find((m) => m.id === modelId)?.name ?? ""}` : "all its models"},{" "}
          {v.period.toLowerCase()}: these cannot change; create another budget instead.
        </p>
      ) : (
        <>
          <SelectField
            id="budget-team"
            name="teamId"
            label="Team"
            placeholder="Choose a team"
            options={options.teams.map((t) => ({ value: t.id, label: t.name }))}
            value={teamId}
            onChange={(ev) => {
              setTeamId(ev.target.value);
              setModelId("");
            }}
            error={e.teamId}
          />
          <SelectField
            id="budget-model"
            name="modelId"
            label="Model (optional)"
            placeholder="All the team's models"
            options={options.models.filter((m) => m.teamId === teamId).map((m) => ({ value: m.id, label: m.name }))}
            value={modelId}
            onChange={(ev) => setModelId(ev.target.value)}
            hint="Leave empty to cover the whole team's inference spend."
            error={e.modelId}
          />
        </>
      )}
      <TextField
        id="budget-amount"
        name="amountUsd"
        label="Amount (USD)"
        inputMode="decimal"
        defaultValue={v.amountUsd}
        error={e.amountUsd}
        hint="For each period, in dollars, e.g. 2500 or 2500.50."
      />
      {editing ? null : (
        <SelectField
          id="budget-period"
          name="period"
          label="Period"
          options={[
            { value: "MONTHLY", label: "Monthly" },
            { value: "QUARTERLY", label: "Quarterly" },
            { value: "YEARLY", label: "Yearly" },
          ]}
          defaultValue={v.period || "MONTHLY"}
          hint="Calendar periods in UTC; quarters start in January."
          error={e.period}
        />
      )}
      <TextField
        id="budget-thresholds"
        name="alertThresholds"
        label="Alert thresholds"
        defaultValue={v.alertThresholds}
        error={e.alertThresholds}
        placeholder="50, 80, 100"
        hint="Percentages of the amount, separated by commas: 50, 80, 100 (or fractions: 0.5, 0.8, 1). Numbers above 1 are read as percentages. Each threshold alerts once per period for actual spend and once for the forecast. Empty: 50%, 80%, 100%."
      />
      <SelectField
        id="budget-action"
        name="action"
        label="Action"
        options={ACTIONS}
        value={budgetAction}
        onChange={(ev) => setBudgetAction(ev.target.value)}
        error={e.action}
      />
      <SelectField
        id="budget-policy"
        name="policyId"
        label="Policy"
        placeholder={budgetAction === "AUTO_OPTIMIZE" ? "Choose a policy" : "Only for auto-optimize"}
        options={policies.map((p) => ({ value: p.id, label: p.name }))}
        defaultValue={v.policyId}
        disabled={budgetAction !== "AUTO_OPTIMIZE"}
        hint="The optimization policy an auto-optimize budget runs, once per period, on the versions that spend the most."
        error={e.policyId}
      />
      <div>
        <SubmitButton pendingText="Saving…">{editing ? "Save budget" : "Create budget"}</SubmitButton>
      </div>
    </ActionForm>
  );
}
