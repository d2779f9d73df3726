"use client";
import { ActionForm } from "@/components/action-form";
import { useActionState } from "react";
import { FormMessage, SelectField, SubmitButton, TextField } from "@/components/form";
import { createWebhookAction } from "@/lib/actions/admin";
import { initialState } from "@/lib/form-state";
import { WEBHOOK_EVENTS, type WebhookEvent } from "@costgate/core";

/** What each event means; keyed by core's list, so an event added there cannot be left out here. */
const EVENT_LABELS: Record<WebhookEvent, string> = {
  "alert.created": "a budget threshold was reached, or a day's spend left its expected range",
  "job.finished": "an optimization job ended",
  "version.promoted": "a version changed stage",
  "promotion.override_requested": "someone asks to override the cost gate",
  "anomaly.detected": "a model's daily spend left its expected range (price and volume effects)",
  "export.finished": "a spend export (CSV or FOCUS) is ready to download",
};
const EVENTS = WEBHOOK_EVENTS.map((value) => ({ value, label: `${value} — ${EVENT_LABELS[value]}` }));

export function WebhookForm({
  teams,
  defaultTeamId,
}: {
  teams: { value: string; label: string }[];
  defaultTeamId: string;
}) {
  const [state, action] = useActionState(createWebhookAction, initialState);
  const v = state.ok ? {} : (state.values ?? {});
  const e = state.fieldErrors ?? {};
  const chosen = (v.events ?? EVENTS.map((e) => e.value).join(",")).split(",");
  return (
    <ActionForm action={action} state={state} resetOnSuccess className="form" noValidate>
      <FormMessage state={state} />
      <TextField
        id="hook-url"
        name="url"
        type="url"
        label="URL"
        defaultValue={v.url ?? ""}
        error={e.url}
        placeholder="https://hooks.example.com/costgate"
      />
      <SelectField
        id="hook-team"
        name="teamId"
        label="Team"
        options={teams}
        defaultValue={v.teamId ?? defaultTeamId}
        error={e.teamId}
      />
      <SelectField
        id="hook-format"
        name="format"
        label="Message format"
        options={[
          { value: "COSTGATE", label: "Costgate JSON (for programs; signed envelope)" },
          { value: "SLACK", label: "Slack message (incoming webhook: readable text)" },
        ]}
        defaultValue={v.format ?? "COSTGATE"}
        error={e.format}
      />
      <TextField
        id="hook-secret"
        name="secret"
        type="password"
        label="Signing secret"
        error={e.secret}
        autoComplete="new-password"
        hint="At least 16 characters; used to sign each delivery, stored encrypted, never shown again."
      />
      <fieldset aria-describedby={e.events ? "hook-events-error" : undefined}>
        <legend>Events</legend>
        {e.events ? (
          <p className="error" id="hook-events-error" style={{ margin: 0 }}>
            {e.events}
          </p>
        ) : null}
        {EVENTS.map((ev) => (
          <label key={ev.value} className="check" htmlFor={`hook-ev-${ev.value}`}>
            <input
              type="checkbox"
              id={`hook-ev-${ev.value}`}
              name="events"
              value={ev.value}
              defaultChecked={chosen.includes(ev.value)}
            />
            {ev.label}
          </label>
        ))}
      </fieldset>
      <div>
        <SubmitButton pendingText="Creating…">Create webhook</SubmitButton>
      </div>
    </ActionForm>
  );
}
