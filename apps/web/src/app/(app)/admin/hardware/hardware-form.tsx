"use client";
import { ActionForm } from "@/components/action-form";
import { useActionState } from "react";
import { CheckField, FormMessage, SubmitButton, TextField } from "@/components/form";
import { upsertHardwareAction } from "@/lib/actions/admin";
import { initialState } from "@/lib/form-state";

export function HardwareForm() {
  const [state, action] = useActionState(upsertHardwareAction, initialState);
  const v = state.ok ? {} : (state.values ?? {});
  const e = state.fieldErrors ?? {};
  return (
    <ActionForm action={action} state={state} resetOnSuccess className="form" noValidate>
      <FormMessage state={state} />
      <TextField
        id="hw-name"
        name="name"
        label="Profile name"
        defaultValue={v.name ?? ""}
        error={e.name}
        hint="e.g. c7g.xlarge"
      />
      <TextField
        id="hw-price"
        name="hourlyPriceUsd"
        label="Hourly price (USD)"
        inputMode="decimal"
        defaultValue={v.hourlyPriceUsd ?? ""}
        error={e.hourlyPriceUsd}
      />
      <TextField
        id="hw-vcpus"
        name="vcpus"
        label="vCPUs"
        inputMode="numeric"
        defaultValue={v.vcpus ?? ""}
        error={e.vcpus}
      />
      <TextField
        id="hw-memory"
        name="memoryGiB"
        label="Memory (GiB)"
        inputMode="decimal"
        defaultValue={v.memoryGiB ?? ""}
        error={e.memoryGiB}
      />
      <TextField
        id="hw-batch"
        name="batchSize"
        label="Batch size (optional)"
        inputMode="numeric"
        defaultValue={v.batchSize ?? ""}
        error={e.batchSize}
        hint="Throughput is measured at this batch size."
      />
      <TextField
        id="hw-description"
        name="description"
        label="Description (optional)"
        defaultValue={v.description ?? ""}
      />
      <TextField
        id="hw-source"
        name="priceSource"
        label="Price source (optional)"
        defaultValue={v.priceSource ?? ""}
        hint="Where and when the price was taken from."
      />
      <CheckField id="hw-default" name="isDefault" label="Default profile" defaultChecked={v.isDefault === "true"} />
      <div>
        <SubmitButton pendingText="Saving…">Save profile</SubmitButton>
      </div>
    </ActionForm>
  );
}
