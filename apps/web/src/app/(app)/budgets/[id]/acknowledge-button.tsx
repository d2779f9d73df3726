"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { acknowledgeAlertAction } from "@/lib/actions/budgets";

export function AcknowledgeButton({ alertId, path }: { alertId: string; path: string }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        className="button small"
        disabled={pending}
        onClick={() =>
          start(async () => {
            const r = await acknowledgeAlertAction(alertId, path);
            if (!r.ok) setError(r.message ?? "Could not acknowledge");
            router.refresh();
          })
        }
      >
        {pending ? "Acknowledging…" : "Acknowledge"}
      </button>
      {error ? (
        <span role="alert" className="error small">
          {" "}
          {error}
        </span>
      ) : null}
    </>
  );
}
