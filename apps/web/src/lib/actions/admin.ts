"use server";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { errorState, request } from "../api";
import type { ActionState } from "../form-state";
import type { WebhookFormat } from "@/gql/graphql";
import {
  CreateApiKeyMutation,
  CreateTeamMutation,
  CreateUserMutation,
  CreateWebhookMutation,
  DeleteWebhookMutation,
  RevokeApiKeyMutation,
  SendTestWebhookMutation,
  UpdateUserMutation,
  UpdateWebhookMutation,
  UpsertHardwareProfileMutation,
} from "../operations";

const str = (form: FormData, name: string) => String(form.get(name) ?? "").trim();
const ROLES = ["ADMIN", "FINANCE", "ML_ENGINEER", "VIEWER"] as const;
const role = (v: string) => ROLES.find((r) => r === v);

export async function upsertHardwareAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const values = {
    name: str(form, "name"),
    hourlyPriceUsd: str(form, "hourlyPriceUsd").replace(/[$,\s]/g, ""),
    vcpus: str(form, "vcpus"),
    memoryGiB: str(form, "memoryGiB"),
    batchSize: str(form, "batchSize"),
    description: str(form, "description"),
    priceSource: str(form, "priceSource"),
    isDefault: form.get("isDefault") ? "true" : "",
  };
  const e: Record<string, string> = {};
  if (!values.name) e.name = "Name the profile (e.g. the instance type)";
  if (!/^\d+(\.\d{1,6})?$/.test(values.hourlyPriceUsd) || Number(values.hourlyPriceUsd) <= 0)
    e.hourlyPriceUsd = "Enter the hourly price in dollars, e.g. 0.192";
  if (!/^\d+$/.test(values.vcpus) || Number(values.vcpus) < 1) e.vcpus = "A whole number of vCPUs, 1 or more";
  if (!(Number(values.memoryGiB) > 0)) e.memoryGiB = "Memory in GiB, more than 0";
  if (values.batchSize && (!/^\d+$/.test(values.batchSize) || Number(values.batchSize) < 1))
    e.batchSize = "A whole number, 1 or more";
  if (Object.keys(e).length) return { ok: false, fieldErrors: e, values };
  try {
    const { upsertHardwareProfile } = await request(UpsertHardwareProfileMutation, {
      input: {
        name: values.name,
        hourlyPriceUsd: values.hourlyPriceUsd,
        vcpus: Number(values.vcpus),
        memoryGiB: Number(values.memoryGiB),
        batchSize: values.batchSize ? Number(values.batchSize) : null,
        description: values.description || null,
        priceSource: values.priceSource || null,
        isDefault: values.isDefault === "true",
      },
    });
    revalidatePath("/admin/hardware");
    return { ok: true, message: `Saved “${upsertHardwareProfile.name}”.` };
  } catch (error) {
    return errorState(error, values);
  }
}

export async function createUserAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const values = {
    email: str(form, "email"),
    name: str(form, "name"),
    role: str(form, "role"),
    teamId: str(form, "teamId"),
  };
  const password = String(form.get("password") ?? "");
  const e: Record<string, string> = {};
  if (!/^\S+@\S+\.\S+$/.test(values.email)) e.email = "Enter an email address";
  if (!values.name) e.name = "Enter the person's name";
  if (password.length < 12) e.password = "At least 12 characters";
  const r = role(values.role);
  if (!r) e.role = "Choose a role";
  if (Object.keys(e).length) return { ok: false, fieldErrors: e, values };
  try {
    const { createUser } = await request(CreateUserMutation, {
      input: { email: values.email, name: values.name, password, role: r!, teamId: values.teamId || null },
    });
    revalidatePath("/admin/users");
    return { ok: true, message: `Created ${createUser.email}.` };
  } catch (error) {
    return errorState(error, values);
  }
}

/** ADMIN: the edit-user dialog (name, role, team, active); the form keeps what was entered on an error. */
export async function updateUserAction(id: string, _prev: ActionState, form: FormData): Promise<ActionState> {
  const values = {
    name: str(form, "name"),
    role: str(form, "role"),
    teamId: str(form, "teamId"),
    active: form.get("active") === "on" ? "on" : "",
  };
  const e: Record<string, string> = {};
  if (!values.name) e.name = "Enter the person's name";
  const r = role(values.role);
  if (!r) e.role = "Choose a role";
  if (r && r !== "ADMIN" && !values.teamId) e.teamId = "Choose a team: only admins work without one";
  if (Object.keys(e).length) return { ok: false, fieldErrors: e, values };
  try {
    const { updateUser } = await request(UpdateUserMutation, {
      id,
      input: { name: values.name, role: r!, teamId: values.teamId || null, active: values.active === "on" },
    });
    revalidatePath("/admin/users");
    return {
      ok: true,
      message: updateUser.deactivatedAt ? `${updateUser.name} is deactivated.` : `Saved ${updateUser.name}.`,
    };
  } catch (error) {
    return errorState(error, values);
  }
}

export async function createTeamAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const values = { name: str(form, "name"), slug: str(form, "slug") };
  const e: Record<string, string> = {};
  if (!values.name) e.name = "Name the team";
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(values.slug))
    e.slug = "Lowercase letters, digits and dashes, e.g. fraud-detection";
  if (Object.keys(e).length) return { ok: false, fieldErrors: e, values };
  try {
    const { createTeam } = await request(CreateTeamMutation, { input: values });
    revalidatePath("/admin/users");
    return { ok: true, message: `Created team ${createTeam.name}.` };
  } catch (error) {
    return errorState(error, values);
  }
}

export async function createApiKeyAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const values = { name: str(form, "name"), role: str(form, "role"), teamId: str(form, "teamId") };
  const e: Record<string, string> = {};
  if (!values.name) e.name = "Name the key after what uses it";
  const r = role(values.role);
  if (!r) e.role = "Choose a role";
  if (Object.keys(e).length) return { ok: false, fieldErrors: e, values };
  try {
    const { createApiKey } = await request(CreateApiKeyMutation, {
      input: { name: values.name, role: r!, teamId: values.teamId || null },
    });
    revalidatePath("/admin/users");
    return { ok: true, message: `Created key “${createApiKey.apiKey.name}”.`, data: { secret: createApiKey.secret } };
  } catch (error) {
    return errorState(error, values);
  }
}

export async function revokeApiKeyAction(id: string): Promise<ActionState> {
  try {
    await request(RevokeApiKeyMutation, { id });
    revalidatePath("/admin/users");
    return { ok: true, message: "Revoked." };
  } catch (error) {
    return errorState(error);
  }
}

export async function createWebhookAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const values = {
    url: str(form, "url"),
    teamId: str(form, "teamId"),
    events: form.getAll("events").map(String).join(","),
    format: str(form, "format") || "COSTGATE",
  };
  const secret = String(form.get("secret") ?? "");
  const e: Record<string, string> = {};
  if (!/^https?:\/\/\S+$/.test(values.url)) e.url = "An http(s) URL, e.g. https://hooks.example.com/costgate";
  if (!values.teamId) e.teamId = "Choose a team";
  if (secret.length < 16) e.secret = "At least 16 characters";
  const events = values.events.split(",").filter(Boolean);
  if (events.length === 0) e.events = "Choose at least one event";
  if (values.format !== "COSTGATE" && values.format !== "SLACK") e.format = "Choose Costgate JSON or Slack message";
  if (Object.keys(e).length) return { ok: false, fieldErrors: e, values };
  try {
    const { createWebhook } = await request(CreateWebhookMutation, {
      input: { url: values.url, teamId: values.teamId, secret, events, format: values.format as WebhookFormat },
    });
    revalidatePath("/admin/webhooks");
    return {
      ok: true,
      message: `Webhook to ${createWebhook.url} created for ${createWebhook.events.join(", ")}${createWebhook.format === "SLACK" ? " (Slack messages)" : ""}.`,
    };
  } catch (error) {
    return errorState(error, values);
  }
}

export async function setWebhookEnabledAction(id: string, enabled: boolean): Promise<ActionState> {
  try {
    await request(UpdateWebhookMutation, { id, input: { enabled } });
    revalidatePath("/admin/webhooks");
    return { ok: true, message: enabled ? "Webhook enabled." : "Webhook disabled: it gets no new deliveries." };
  } catch (error) {
    return errorState(error);
  }
}

/** A webhook.test delivery to this webhook (the API sends one per click, at most one every 10 s). */
export async function sendTestWebhookAction(id: string): Promise<ActionState> {
  try {
    await request(SendTestWebhookMutation, { webhookId: id });
    revalidatePath("/admin/webhooks");
    return { ok: true, message: "Test event queued: it is the newest of the recent deliveries below." };
  } catch (error) {
    return errorState(error);
  }
}

export async function deleteWebhookAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  try {
    await request(DeleteWebhookMutation, { id: str(form, "id") });
  } catch (error) {
    return errorState(error);
  }
  revalidatePath("/admin/webhooks");
  redirect("/admin/webhooks?deleted=1");
}
