"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { errorState, request } from "../api";
import type { ActionState } from "../form-state";
import { CancelJobMutation, CreatePolicyMutation, RunPolicyMutation, UpdatePolicyMutation } from "../operations";
import { buildSteps, STEP_KINDS, stepErrorField, type StepDraft } from "../steps";

const str = (form: FormData, name: string) => String(form.get(name) ?? "").trim();
const TRIGGERS = ["MANUAL", "NEW_VERSION", "BUDGET_AT_RISK"] as const;
const FIELD_MAP = {
  name: "name",
  teamId: "teamId",
  modelId: "modelId",
  steps: "steps",
  maxAccuracyDrop: "maxAccuracyDrop",
  hardwareProfileId: "hardwareProfileId",
  trigger: "trigger",
};

/** Reads and checks the fields the create and edit forms share; step errors are keyed "step.<i>.<param>". */
function policyFields(form: FormData) {
  const values = {
    name: str(form, "name"),
    teamId: str(form, "teamId"),
    modelId: str(form, "modelId"),
    maxAccuracyDrop: str(form, "maxAccuracyDrop"),
    hardwareProfileId: str(form, "hardwareProfileId"),
    trigger: str(form, "trigger") || "MANUAL",
    autoPromote: form.get("autoPromote") ? "true" : "",
    steps: str(form, "steps"),
  };
  const fieldErrors: Record<string, string> = {};
  if (!values.name) fieldErrors.name = "Give the policy a name";
  const drop = Number(values.maxAccuracyDrop);
  if (values.maxAccuracyDrop === "" || !Number.isFinite(drop) || drop < 0 || drop > 1)
    fieldErrors.maxAccuracyDrop = "Enter the largest allowed drop, from 0 to 1 (e.g. 0.01 = one point of accuracy)";
  let drafts: StepDraft[];
  try {
    drafts = (JSON.parse(values.steps || "[]") as StepDraft[]).filter((d) => STEP_KINDS.includes(d.kind));
  } catch {
    drafts = [];
  }
  if (drafts.length === 0) fieldErrors.steps = "Add at least one step";
  const { steps, errors } = buildSteps(drafts);
  Object.assign(fieldErrors, Object.fromEntries(Object.entries(errors).map(([k, v]) => [`step.${k}`, v])));
  const trigger = TRIGGERS.find((t) => t === values.trigger);
  if (!trigger) fieldErrors.trigger = "Choose a trigger";
  return { values, fieldErrors, drafts, steps, drop, trigger: trigger ?? "MANUAL" };
}

/**
 * An API error as a form state: a step parameter's error beside that parameter's field, and
 * CONFLICT (the only one these mutations answer: the team has a policy of that name) beside the name.
 */
function apiErrorState(error: unknown, values: Record<string, string>, drafts: StepDraft[]): ActionState {
  const state = errorState(error, values, FIELD_MAP);
  if (state.code === "CONFLICT" && !state.fieldErrors)
    return { ...state, fieldErrors: { name: state.message ?? "The team already has a policy of that name" } };
  if (!state.fieldErrors) return state;
  return {
    ...state,
    fieldErrors: Object.fromEntries(
      Object.entries(state.fieldErrors).map(([k, v]) => [stepErrorField(k, drafts) ?? k, v]),
    ),
  };
}

export async function createPolicyAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const { values, fieldErrors, drafts, steps, drop, trigger } = policyFields(form);
  if (!values.teamId) fieldErrors.teamId = "Choose a team";
  if (Object.keys(fieldErrors).length)
    return { ok: false, fieldErrors, values, message: "Check the fields marked below." };

  let id: string;
  try {
    const { createOptimizationPolicy } = await request(CreatePolicyMutation, {
      input: {
        name: values.name,
        teamId: values.teamId,
        modelId: values.modelId || null,
        steps,
        maxAccuracyDrop: drop,
        hardwareProfileId: values.hardwareProfileId || null,
        trigger,
        autoPromote: values.autoPromote === "true",
      },
    });
    id = createOptimizationPolicy.id;
  } catch (error) {
    return apiErrorState(error, values, drafts);
  }
  revalidatePath("/policies");
  redirect(`/policies/${id}`);
}

/** Saves the edit form: every field it shows (team and model cannot change; enabled has its own button). */
export async function updatePolicyAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const id = str(form, "id");
  const { values, fieldErrors, drafts, steps, drop, trigger } = policyFields(form);
  if (Object.keys(fieldErrors).length)
    return { ok: false, fieldErrors, values, message: "Not saved: check the fields marked below." };
  try {
    await request(UpdatePolicyMutation, {
      id,
      input: {
        name: values.name,
        steps,
        maxAccuracyDrop: drop,
        hardwareProfileId: values.hardwareProfileId || null,
        trigger,
        autoPromote: values.autoPromote === "true",
      },
    });
  } catch (error) {
    return apiErrorState(error, values, drafts);
  }
  revalidatePath("/policies");
  revalidatePath(`/policies/${id}`);
  redirect(`/policies/${id}`);
}

export async function runPolicyAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const policyId = str(form, "policyId");
  const versionId = str(form, "versionId");
  if (!versionId) return { ok: false, fieldErrors: { versionId: "Choose the version to optimize" } };
  let jobId: string;
  try {
    const { runOptimizationPolicy } = await request(RunPolicyMutation, { policyId, versionId });
    jobId = runOptimizationPolicy.id;
  } catch (error) {
    return errorState(error, { versionId }, { versionId: "versionId" });
  }
  revalidatePath("/jobs");
  redirect(`/jobs/${jobId}`);
}

export async function setPolicyEnabledAction(policyId: string, enabled: boolean): Promise<ActionState> {
  try {
    await request(UpdatePolicyMutation, { id: policyId, input: { enabled } });
    revalidatePath("/policies");
    revalidatePath(`/policies/${policyId}`);
    return { ok: true, message: enabled ? "Policy enabled." : "Policy disabled." };
  } catch (error) {
    return errorState(error);
  }
}

export async function cancelJobAction(jobId: string): Promise<ActionState> {
  try {
    const { cancelOptimizationJob } = await request(CancelJobMutation, { id: jobId });
    revalidatePath(`/jobs/${jobId}`);
    return {
      ok: true,
      message:
        cancelOptimizationJob.status === "CANCELLED"
          ? "Job cancelled."
          : "Cancellation requested: the job stops at its next batch or step.",
    };
  } catch (error) {
    return errorState(error);
  }
}
