"use client";
// "Re-measure" and "Re-evaluate" for one version (ML_ENGINEER/ADMIN): server actions calling
// remeasureModelVersion / reevaluateModelVersion. The work is queued; a worker adds the new
// measurement or evaluation some seconds later, so after queuing the page re-renders itself until
// it shows up (or a few minutes pass), and the note beside the button says what happened.
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { Dialog } from "@/components/dialog";
import { reevaluateAction, remeasureAction } from "@/lib/actions/models";
import { formatHourly } from "@/lib/format";

export interface ProfileChoice {
  id: string;
  name: string;
  hourlyPriceUsd: string;
  isDefault: boolean;
}

type Note = { ok: boolean; text: string };
const WATCH_MS = 4 * 60_000;

/**
 * While `watching`, refreshes the page every 3 s until `arrived` turns true (then `onArrived`) or
 * WATCH_MS pass since watching began (then `onGiveUp`).
 */
function useRefreshUntil(watching: boolean, arrived: boolean, onArrived: () => void, onGiveUp: () => void) {
  const router = useRouter();
  const callbacks = useRef({ onArrived, onGiveUp });
  callbacks.current = { onArrived, onGiveUp };
  useEffect(() => {
    if (!watching) return;
    if (arrived) {
      callbacks.current.onArrived();
      return;
    }
    const timer = setInterval(() => router.refresh(), 3000);
    const stop = setTimeout(() => callbacks.current.onGiveUp(), WATCH_MS);
    return () => {
      clearInterval(timer);
      clearTimeout(stop);
    };
  }, [watching, arrived, router]);
}

function ActionNote({ note }: { note: Note | null }) {
  return (
    <span role={note && !note.ok ? "alert" : "status"} className={`action-note${note && !note.ok ? " error" : ""}`}>
      {note?.text ?? ""}
    </span>
  );
}

export function RemeasureButton({
  modelId,
  versionId,
  number,
  profiles,
  measurements,
}: {
  modelId: string;
  versionId: string;
  number: number;
  profiles: ProfileChoice[];
  measurements: number;
}) {
  const defaultProfile = profiles.find((p) => p.isDefault) ?? profiles[0];
  const [open, setOpen] = useState(false);
  const [profileId, setProfileId] = useState(defaultProfile?.id ?? "");
  const [note, setNote] = useState<Note | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [watchFrom, setWatchFrom] = useState<number | null>(null);
  const [queuedOn, setQueuedOn] = useState("");
  const [pending, start] = useTransition();

  useRefreshUntil(
    watchFrom !== null,
    watchFrom !== null && measurements > watchFrom,
    () => {
      setWatchFrom(null);
      setNote({ ok: true, text: `Measured again on ${queuedOn}: see “Cost measurements” below.` });
    },
    () => setWatchFrom(null),
  );

  const queue = () =>
    start(async () => {
      const profile = profiles.find((p) => p.id === profileId) ?? defaultProfile;
      const r = await remeasureAction(modelId, versionId, profile?.id ?? "", profile?.name ?? "");
      if (r.ok) {
        setOpen(false);
        setError(null);
        setQueuedOn(profile?.name ?? "the default hardware profile");
        setNote({ ok: true, text: r.message ?? "Queued." });
        setWatchFrom(measurements);
      } else {
        setError(r.message ?? "Not queued");
      }
    });

  return (
    <div>
      <button
        type="button"
        className="button small"
        aria-haspopup="dialog"
        onClick={() => {
          setError(null);
          setOpen(true);
        }}
      >
        Re-measure
      </button>
      <ActionNote note={note} />
      <Dialog open={open} onClose={() => setOpen(false)} title={`Re-measure version ${number}`}>
        <div className="field">
          <label htmlFor={`remeasure-profile-${versionId}`}>Hardware profile</label>
          <select
            id={`remeasure-profile-${versionId}`}
            value={profileId}
            onChange={(e) => setProfileId(e.target.value)}
            aria-describedby={`remeasure-hint-${versionId}`}
          >
            {profiles.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} — {formatHourly(p.hourlyPriceUsd)}
                {p.isDefault ? " (default)" : ""}
              </option>
            ))}
          </select>
          <p className="hint" id={`remeasure-hint-${versionId}`}>
            A worker running on that hardware measures version {number} again (interleaved with its parent, when it has
            one) and adds a measurement; earlier ones are kept. It waits in the queue until such a worker is free.
          </p>
        </div>
        {error ? (
          <p className="alert error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
          <button type="button" className="button primary" onClick={queue} disabled={pending}>
            {pending ? "Queuing…" : "Queue measurement"}
          </button>
        </div>
      </Dialog>
    </div>
  );
}

export function ReevaluateButton({
  modelId,
  versionId,
  evaluatedAt,
}: {
  modelId: string;
  versionId: string;
  evaluatedAt: string | null;
}) {
  const [note, setNote] = useState<Note | null>(null);
  const [watchFrom, setWatchFrom] = useState<string | null | undefined>(undefined);
  const [pending, start] = useTransition();
  const watching = watchFrom !== undefined;

  useRefreshUntil(
    watching,
    watching && evaluatedAt !== watchFrom,
    () => {
      setWatchFrom(undefined);
      setNote({ ok: true, text: "Evaluated again: the metric in this row is the new one." });
    },
    () => setWatchFrom(undefined),
  );

  return (
    <div>
      <button
        type="button"
        className="button small"
        disabled={pending}
        onClick={() =>
          start(async () => {
            const r = await reevaluateAction(modelId, versionId);
            const hint =
              !r.ok && /no EVALUATION dataset/i.test(r.message ?? "")
                ? " (upload one below with Dataset role “Evaluation”)"
                : "";
            setNote({
              ok: r.ok,
              text: r.ok ? (r.message ?? "Queued.") : `Not queued: ${r.message ?? "the API refused it"}${hint}`,
            });
            if (r.ok) setWatchFrom(evaluatedAt);
          })
        }
      >
        {pending ? "Queuing…" : "Re-evaluate"}
      </button>
      <ActionNote note={note} />
    </div>
  );
}
