"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { cancelJobAction } from "@/lib/actions/policies";

export function CancelJobButton({ jobId, requested }: { jobId: string; requested: boolean }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <div className="row">
      <button
        type="button"
        className="button danger"
        disabled={pending || requested}
        onClick={() =>
          start(async () => {
            if (!window.confirm("Cancel this job? Versions it already made stay.")) return;
            const r = await cancelJobAction(jobId);
            setMessage({ ok: r.ok, text: r.message ?? "" });
            router.refresh();
          })
        }
      >
        {requested ? "Cancelling…" : "Cancel"}
      </button>
      {message ? (
        <span role={message.ok ? "status" : "alert"} className={message.ok ? "small" : "small error"}>
          {message.text}
        </span>
      ) : null}
    </div>
  );
}
