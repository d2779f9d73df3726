"use server";
import { revalidatePath } from "next/cache";
import { classNamesProblem, parseClassNames } from "@costgate/core";
import { redirect } from "next/navigation";
import { ApiError, errorState, request } from "../api";
import type { ActionState } from "../form-state";
import {
  CreateModelMutation,
  PromoteMutation,
  PromotionPreviewQuery,
  ReevaluateVersionMutation,
  RemeasureVersionMutation,
  RequestPromotionOverrideMutation,
} from "../operations";

const str = (form: FormData, name: string) => String(form.get(name) ?? "").trim();

export async function createModelAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const values = {
    name: str(form, "name"),
    teamId: str(form, "teamId"),
    task: str(form, "task"),
    description: str(form, "description"),
    classNames: str(form, "classNames"),
  };
  const classNames = values.classNames ? parseClassNames(values.classNames) : null;
  const fieldErrors: Record<string, string> = {};
  const classProblem = classNames ? classNamesProblem(classNames) : null;
  if (classProblem) fieldErrors.classNames = classProblem;
  if (classNames && values.task === "REGRESSION")
    fieldErrors.classNames = "Only a classifier's outputs are classes: leave this empty for regression";
  if (!values.name) fieldErrors.name = "Give the model a name";
  if (!values.teamId) fieldErrors.teamId = "Choose the team that owns it";
  if (values.task !== "CLASSIFICATION" && values.task !== "REGRESSION")
    fieldErrors.task = "Choose classification or regression";
  if (Object.keys(fieldErrors).length) return { ok: false, fieldErrors, values };
  let id: string;
  try {
    const { createModel } = await request(CreateModelMutation, {
      input: {
        name: values.name,
        teamId: values.teamId,
        task: values.task as "CLASSIFICATION" | "REGRESSION",
        description: values.description || null,
        classNames,
      },
    });
    id = createModel.id;
  } catch (error) {
    return errorState(error, values);
  }
  redirect(`/models/${id}`);
}

export type PreviewResult =
  | {
      ok: true;
      preview: {
        currentMonthlyUsd: string;
        projectedMonthlyUsd: string;
        deltaMonthlyUsd: string;
        withinBudget: boolean;
        /** The cost gate would refuse a promotion to production. */
        gateRefuses: boolean;
        trafficRequests: number;
        remainingUsd: string | null;
        budget: { id: string; name: string; amountUsd: string; action: string; spentUsd: string } | null;
      };
    }
  | { ok: false; message: string; code: string };

export async function previewPromotionAction(versionId: string): Promise<PreviewResult> {
  try {
    const { promotionPreview: p } = await request(PromotionPreviewQuery, { versionId });
    return {
      ok: true,
      preview: {
        currentMonthlyUsd: p.currentMonthlyUsd,
        projectedMonthlyUsd: p.projectedMonthlyUsd,
        deltaMonthlyUsd: p.deltaMonthlyUsd,
        withinBudget: p.withinBudget,
        gateRefuses: p.gateRefuses,
        trafficRequests: p.trafficRequests,
        remainingUsd: p.remainingUsd ?? null,
        budget: p.budget
          ? {
              id: p.budget.id,
              name: p.budget.name,
              amountUsd: p.budget.amountUsd,
              action: p.budget.action,
              spentUsd: p.budget.status.spentUsd,
            }
          : null,
      },
    };
  } catch (error) {
    return {
      ok: false,
      message: (error as Error).message,
      code: error instanceof ApiError ? error.code : "INTERNAL_SERVER_ERROR",
    };
  }
}

export async function promoteAction(
  modelId: string,
  versionId: string,
  stage: string,
  overrideReason: string,
): Promise<ActionState> {
  const stages = ["PRODUCTION", "STAGING", "CANDIDATE", "ARCHIVED"] as const;
  const target = stages.find((s) => s === stage);
  if (!target) return { ok: false, message: "Choose a stage" };
  try {
    const { promoteModelVersion } = await request(PromoteMutation, {
      input: { versionId, stage: target, overrideReason: overrideReason || null },
    });
    revalidatePath(`/models/${modelId}`);
    return {
      ok: true,
      message: `Version ${promoteModelVersion.version.number} is now ${promoteModelVersion.version.stage.toLowerCase()}.`,
    };
  } catch (error) {
    if (error instanceof ApiError && error.code === "COST_GATE_BLOCKED") {
      const numbers: Record<string, string> = {};
      for (const key of [
        "currentMonthlyUsd",
        "projectedMonthlyUsd",
        "deltaMonthlyUsd",
        "remainingUsd",
        "budgetName",
        "budgetId",
        "trafficRequests",
      ]) {
        const v = error.extensions[key];
        if (typeof v === "string" || typeof v === "number") numbers[key] = String(v);
      }
      return { ok: false, code: error.code, message: error.message, data: numbers };
    }
    return errorState(error);
  }
}

/**
 * Asks the team's ADMIN/FINANCE to override the cost gate's refusal of promoting the version to
 * production (an alert on the refusing budget and a webhook event, with the projection).
 */
export async function requestOverrideAction(modelId: string, versionId: string, reason: string): Promise<ActionState> {
  const why = reason.trim();
  if (!why)
    return {
      ok: false,
      fieldErrors: { reason: "Say why this version should go to production despite the budget" },
      message: "Say why this version should go to production despite the budget.",
    };
  try {
    const { requestPromotionOverride: alert } = await request(RequestPromotionOverrideMutation, {
      versionId,
      reason: why,
    });
    revalidatePath(`/models/${modelId}`);
    return {
      ok: true,
      message: `Override requested: the team's admins and finance were alerted on the budget “${alert.budget.name}”, with the projection.`,
    };
  } catch (error) {
    return errorState(error, { reason });
  }
}

/**
 * Queues a new cost measurement of a version (on a hardware profile; the API's default when
 * empty). The message names the hardware so the user knows which worker pool will take it.
 */
export async function remeasureAction(
  modelId: string,
  versionId: string,
  hardwareProfileId: string,
  profileName: string,
): Promise<ActionState> {
  try {
    const { remeasureModelVersion: v } = await request(RemeasureVersionMutation, {
      versionId,
      hardwareProfileId: hardwareProfileId || null,
    });
    revalidatePath(`/models/${modelId}`);
    return {
      ok: true,
      message: `Queued: a worker of ${profileName || "the default hardware profile"} will measure version ${v.number} again.`,
    };
  } catch (error) {
    return errorState(error);
  }
}

/** Queues a new evaluation of a version on its model's current EVALUATION dataset. */
export async function reevaluateAction(modelId: string, versionId: string): Promise<ActionState> {
  try {
    const { reevaluateModelVersion: v } = await request(ReevaluateVersionMutation, { versionId });
    revalidatePath(`/models/${modelId}`);
    return {
      ok: true,
      message: `Queued: version ${v.number} will be evaluated again on the model's Evaluation dataset.`,
    };
  } catch (error) {
    return errorState(error);
  }
}
