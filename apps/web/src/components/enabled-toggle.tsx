"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { ActionState } from "@/lib/form-state";

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
  const router = useRouter();
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <>
      <button
        type="button"
        className="button"
        aria-describedby={describedBy}
        // aria-disabled, not disabled: a disabled button drops keyboard focus to the page.
        aria-disabled={pending}
        onClick={() => {
          if (pending) return;
          start(async () => {
            const r = await setEnabled(!enabled);
            setMessage({ ok: r.ok, text: r.message ?? (r.ok ? "" : "Could not change it") });
            router.refresh();
          });
        }}
      >
        {pending ? (enabled ? "Disabling…" : "Enabling…") : enabled ? "Disable" : "Enable"}
      </button>
      {message ? (
        <span
          role={message.ok ? "status" : "alert"}
          className={message.ok ? "small" : "small error"}
          style={{ alignSelf: "center" }}
        >
          {message.text}
        </span>
      ) : null}
    </>
  );
}
