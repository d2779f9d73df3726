"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { setPolicyEnabledAction } from "@/lib/actions/policies";

/** Switches a policy on or off; the page re-renders with its new state. */
export function EnabledToggle({ policyId, enabled }: { policyId: string; enabled: boolean }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <>
      <button
        type="button"
        className="button"
        // aria-disabled, not disabled: a disabled button drops keyboard focus to the page.
        aria-disabled={pending}
        onClick={() => {
          if (pending) return;
          start(async () => {
            const r = await setPolicyEnabledAction(policyId, !enabled);
            setMessage({ ok: r.ok, text: r.message ?? (r.ok ? "" : "Could not change the policy") });
            router.refresh();
          });
        }}
      >
        {pending ? (enabled ? "Disabling…" : "Enabling…") : enabled ? "Disable" : "Enable"}
      </button>
      {message ? (
        <span role={message.ok ? "status" : "alert"} className={message.ok ? "small" : "small error"} style={{ alignSelf: "center" }}>
          {message.text}
        </span>
      ) : null}
    </>
  );
}
