"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { errorState, request } from "../api";
import type { ActionState } from "../form-state";
import {
  AcknowledgeAlertMutation,
  CreateBudgetMutation,
  DeleteBudgetMutation,
  UpdateBudgetMutation,
} from "../operations";
import { parseThresholds } from "../thresholds";

const str = (form: FormData, name: string) => String(form.get(name) ?? "").trim();
const PERIODS = ["MONTHLY", "QUARTERLY", "YEARLY"] as const;
const ACTIONS = ["NOTIFY", "BLOCK_PROMOTION", "AUTO_OPTIMIZE"] as const;
const FIELD_MAP = {
  amountUsd: "amountUsd",
  alertThresholds: "alertThresholds",
  name: "name",
  teamId: "teamId",
  modelId: "modelId",
  policyId: "policyId",
  action: "action",
  period: "period",
};

/** Validates the fields both forms share; amount as a Decimal string with at most 6 decimals. */
function common(form: FormData) {
  const values = {
    name: str(form, "name"),
    teamId: str(form, "teamId"),
    modelId: str(form, "modelId"),
    amountUsd: str(form, "amountUsd").replace(/[$,\s]/g, ""),
    period: str(form, "period"),
    alertThresholds: str(form, "alertThresholds"),
    action: str(form, "action") || "NOTIFY",
    policyId: str(form, "policyId"),
  };
  const fieldErrors: Record<string, string> = {};
  if (!values.name) fieldErrors.name = "Give the budget a name";
  if (!/^\d+(\.\d{1,6})?$/.test(values.amountUsd) || Number(values.amountUsd) <= 0)
    fieldErrors.amountUsd = "Enter an amount in dollars greater than 0, e.g. 2500 or 2500.50";
  const thresholds = parseThresholds(values.alertThresholds);
  if (!thresholds.ok) fieldErrors.alertThresholds = `Alert thresholds: ${thresholds.error}`;
  const action = ACTIONS.find((a) => a === values.action);
  if (!action) fieldErrors.action = "Choose what happens when the budget is at risk";
  if (action === "AUTO_OPTIMIZE" && !values.policyId) fieldErrors.policyId = "Auto-optimize needs the policy to run";
  return {
    values,
    fieldErrors,
    thresholds: thresholds.ok && thresholds.values.length ? thresholds.values : null,
    action,
  };
}

export async function createBudgetAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const { values, fieldErrors, thresholds, action } = common(form);
  if (!values.teamId) fieldErrors.teamId = "Choose the team whose spend it covers";
  const period = PERIODS.find((p) => p === values.period);
  if (!period) fieldErrors.period = "Choose a period";
  if (Object.keys(fieldErrors).length)
    return { ok: false, fieldErrors, values, message: "The budget was not created: check the fields marked below." };
  let id: string;
  try {
    const { createBudget } = await request(CreateBudgetMutation, {
      input: {
        name: values.name,
        teamId: values.teamId,
        modelId: values.modelId || null,
        amountUsd: values.amountUsd,
        period: period!,
        alertThresholds: thresholds,
        action: action!,
        policyId: action === "AUTO_OPTIMIZE" ? values.policyId : null,
      },
    });
    id = createBudget.id;
  } catch (error) {
    return errorState(error, values, FIELD_MAP);
  }
  revalidatePath("/budgets");
  revalidatePath("/");
  redirect(`/budgets/${id}`);
}

export async function updateBudgetAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const id = str(form, "id");
  const { values, fieldErrors, thresholds, action } = common(form);
  if (!thresholds && !fieldErrors.alertThresholds)
    fieldErrors.alertThresholds = "Give at least one threshold, e.g. 50, 80, 100";
  if (Object.keys(fieldErrors).length)
    return { ok: false, fieldErrors, values, message: "Not saved: check the fields marked below." };
  try {
    await request(UpdateBudgetMutation, {
      id,
      input: {
        name: values.name,
        amountUsd: values.amountUsd,
        alertThresholds: thresholds,
        action: action!,
        policyId: action === "AUTO_OPTIMIZE" ? values.policyId : null,
      },
    });
  } catch (error) {
    return errorState(error, values, FIELD_MAP);
  }
  revalidatePath("/budgets");
  revalidatePath(`/budgets/${id}`);
  redirect(`/budgets/${id}`);
}

export async function deleteBudgetAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const id = str(form, "id");
  try {
    await request(DeleteBudgetMutation, { id });
  } catch (error) {
    return errorState(error);
  }
  revalidatePath("/budgets");
  redirect("/budgets");
}

export async function acknowledgeAlertAction(alertId: string, path: string): Promise<ActionState> {
  try {
    await request(AcknowledgeAlertMutation, { id: alertId });
    revalidatePath(path);
    return { ok: true, message: "Acknowledged." };
  } catch (error) {
    return errorState(error);
  }
}
