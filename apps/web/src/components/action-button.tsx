"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import type { ActionState } from "@/lib/form-state";

/**
 * A button that runs one server action (bound to its row's id) and says what happened: the page
 * re-renders with the result, and a short message (a status, or an alert when refused) stays
 * beside the button. A click while the action runs does nothing. `describedBy` names the thing
 * acted on, when several such buttons share a page.
 */
export function ActionButton({
  label,
  pendingLabel,
  run,
  refused,
  describedBy,
}: {
  label: string;
  pendingLabel: string;
  run: () => Promise<ActionState>;
  /** The message when the action fails without one of its own. */
  refused: string;
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
            const r = await run();
            setMessage({ ok: r.ok, text: r.message ?? (r.ok ? "" : refused) });
            router.refresh();
          });
        }}
      >
        {pending ? pendingLabel : label}
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
