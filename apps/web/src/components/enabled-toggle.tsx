"use client";
import type { ActionState } from "@/lib/form-state";
import { ActionButton } from "./action-button";

/**
 * A Disable/Enable button for anything that can be switched off: `setEnabled` is a server action
 * (bound to the row's id); the page re-renders with the new state and a short message says
 * what happened. `describedBy` names the thing switched, when several toggles share a page.
 */
export function EnabledToggle({
  enabled,
  setEnabled,
  describedBy,
}: {
  enabled: boolean;
  setEnabled: (enabled: boolean) => Promise<ActionState>;
  describedBy?: string;
}) {
  return (
    <ActionButton
      label={enabled ? "Disable" : "Enable"}
      pendingLabel={enabled ? "Disabling…" : "Enabling…"}
      run={() => setEnabled(!enabled)}
      refused="Could not change it"
      describedBy={describedBy}
    />
  );
}
