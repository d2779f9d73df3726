// Small presentational pieces shared by the pages (server-safe: no hooks).
import Link from "next/link";
import type { ReactNode } from "react";

export function PageHeader({
  title,
  lead,
  actions,
  breadcrumb,
}: {
  title: string;
  lead?: ReactNode;
  actions?: ReactNode;
  breadcrumb?: { href: string; label: string };
}) {
  return (
    <div className="page-header">
      <div>
        {breadcrumb ? (
          <div className="breadcrumb">
            <Link href={breadcrumb.href}>← {breadcrumb.label}</Link>
          </div>
        ) : null}
        <h1>{title}</h1>
        {lead ? <p className="lead">{lead}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </div>
  );
}

export function Card({
  title,
  children,
  id,
  actions,
}: {
  title?: string;
  children: ReactNode;
  id?: string;
  actions?: ReactNode;
}) {
  const headingId = id ? `${id}-title` : undefined;
  return (
    <section className="card" aria-labelledby={title ? headingId : undefined} id={id}>
      {title ? (
        <div className="row" style={{ marginBottom: "0.75rem" }}>
          <h2 id={headingId} style={{ margin: 0 }}>
            {title}
          </h2>
          {actions ? (
            <>
              <span className="spacer" />
              {actions}
            </>
          ) : null}
        </div>
      ) : null}
      {children}
    </section>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h2>{title}</h2>
      {children ? <div>{children}</div> : null}
    </div>
  );
}

export type Tone = "ok" | "warn" | "bad" | "info" | "neutral";

export function Badge({ tone = "neutral", children }: { tone?: Tone; children: ReactNode }) {
  return <span className={`badge ${tone === "neutral" ? "" : tone}`}>{children}</span>;
}

const TONES: Record<string, Tone> = {
  OK: "ok",
  AT_RISK: "warn",
  EXCEEDED: "bad",
  READY: "ok",
  PENDING: "info",
  FAILED: "bad",
  QUEUED: "info",
  RUNNING: "info",
  SUCCEEDED: "ok",
  CANCELLED: "neutral",
  PRODUCTION: "ok",
  STAGING: "info",
  CANDIDATE: "neutral",
  ARCHIVED: "neutral",
  REJECTED: "bad",
  RETRYING: "warn",
};

const LABELS: Record<string, string> = { AT_RISK: "At risk", ML_ENGINEER: "ML engineer" };

/** A status enum as a coloured badge with readable text ("AT_RISK" → "At risk"). */
export function StatusBadge({ value }: { value: string }) {
  const label = LABELS[value] ?? value.charAt(0) + value.slice(1).toLowerCase().replace(/_/g, " ");
  return <Badge tone={TONES[value] ?? "neutral"}>{label}</Badge>;
}

/** A horizontally scrollable table container that keyboard users can scroll too. */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const pct = Math.max(0, Math.min(1, value)) * 100;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(pct)}
    >
      <span style={{ width: `${pct}%` }} />
    </div>
  );
}

export function Forbidden({ what }: { what: string }) {
  return (
    <div className="alert info" role="status">
      Your role cannot {what}. Ask a team member with the right role, or an admin.
    </div>
  );
}
